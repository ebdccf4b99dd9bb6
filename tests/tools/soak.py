"""`make soak`: graceful restarts under wrk load, with mod_semguard and side by side without it
(docs/reliability.md). Runs in a private IPC + PID namespace (the Makefile's unshare), where
the server under test is the only maker of semaphore sets.

For each side: a real httpd (the server SEMGUARD_SERVER picks), wrk against it for the whole
run, SOAK_RESTARTS graceful restarts (default 100), and after each one:
  - with the module, the ledger names exactly the kernel's sets (/proc/sysvipc/sem);
  - the number of sets in the table, which must stay the same from restart to restart;
  - the parent's VmRSS (/proc/PID/status).
Then wrk's failed requests (socket errors + non-2xx/3xx answers) for each side.

Fails (exit 1) when a ledger differs from the table, the set count changes, the module's side
fails more requests than the plain side plus max(20, 50 %), or the module's parent grows by
more than SOAK_RSS_SLACK_KIB (default 512) beyond the plain parent's growth, both counted from
the 10th restart on (the first ones grow any parent: pools, the DSOs loaded again). Bounded in time:
each side stops restarting after SOAK_SECONDS / 2 (default 300 s for the whole run) and says so.
Writes build/soak.json.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from instance import SERVER, Instance, kernel_sets, read_ledger  # noqa: E402
from servers import BUILD  # noqa: E402

RESTARTS = int(os.environ.get("SOAK_RESTARTS", "100"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
RSS_SLACK_KIB = int(os.environ.get("SOAK_RSS_SLACK_KIB", "512"))
# The first restarts grow any parent (pools, the DSOs loaded again): growth counts after them.
WARMUP = 10


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def wrk_failures(out):
    """(requests, failed) from wrk's report: socket errors plus non-2xx/3xx answers."""
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    failed = 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        failed += sum(int(n) for n in errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        failed += int(non2xx.group(1))
    return requests, failed


def soak_side(root, semguard, budget):
    inst = Instance(root, semguard=semguard).create()
    inst.start()
    parent = inst.parent_pid()
    wrk = subprocess.Popen(["wrk", "-t2", "-c8", "-d3600s", f"http://127.0.0.1:{inst.port}/"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)  # wrk connected and under way before the first restart
    side = {"module": semguard, "restarts": 0, "ledger_mismatches": [], "set_counts": [],
            "rss_kib": [rss_kib(parent)], "stopped_early": False}
    deadline = time.monotonic() + budget
    started = time.monotonic()
    try:
        for n in range(1, RESTARTS + 1):
            if time.monotonic() > deadline:
                side["stopped_early"] = True
                break
            inst.generation_after("graceful", timeout=30)
            table = set(kernel_sets())
            side["set_counts"].append(len(table))
            if semguard:
                recorded = set(read_ledger(inst.ledger_path())["sets"])
                if recorded != table:
                    side["ledger_mismatches"].append(
                        {"restart": n, "ledger": sorted(recorded), "kernel": sorted(table)})
            side["rss_kib"].append(rss_kib(parent))
            side["restarts"] = n
    finally:
        side["seconds"] = round(time.monotonic() - started, 1)
        wrk.send_signal(signal.SIGINT)  # wrk stops and prints its report
        out = wrk.communicate(timeout=30)[0]
        inst.stop()
    side["requests"], side["failed_requests"] = wrk_failures(out)
    side["sets_left_after_stop"] = len(kernel_sets())
    return side


def steady_growth(side):
    rss = side["rss_kib"]
    return rss[-1] - rss[min(WARMUP, len(rss) - 1)]


def report(side):
    rss = side["rss_kib"]
    counts = sorted(set(side["set_counts"]))
    return (f"{'with' if side['module'] else 'without'} mod_semguard: {side['restarts']} graceful "
            f"restarts in {side['seconds']} s"
            f"{' (stopped at the time bound)' if side['stopped_early'] else ''}; "
            f"{side['requests']} requests, {side['failed_requests']} failed; sets in the table "
            f"after each restart: {counts}; "
            + (f"ledger = table after {side['restarts'] - len(side['ledger_mismatches'])} of "
               f"{side['restarts']}" if side["module"] else "no ledger")
            + f"; parent RSS {rss[0]} -> {rss[-1]} KiB (max {max(rss)}; growth after restart "
            f"{WARMUP}: {steady_growth(side):+d} KiB); sets left after the stop: "
            f"{side['sets_left_after_stop']}")


def main():
    if os.environ.get("SEMGUARD_TEST_NAMESPACE") != "1":
        sys.exit("soak.py runs in a private IPC + PID namespace: use `make soak`")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: make soak installs it (tests/tools/install-test-deps.sh bench)")
    tmp = tempfile.mkdtemp(prefix="semguard-soak-")
    os.chmod(tmp, 0o755)
    print(f"== make soak: {RESTARTS} graceful restarts under wrk on {SERVER.name}, "
          f"with and without mod_semguard, at most {SECONDS:.0f} s")
    try:
        plain = soak_side(os.path.join(tmp, "plain"), False, SECONDS / 2)
        print(report(plain), flush=True)
        guarded = soak_side(os.path.join(tmp, "guarded"), True, SECONDS / 2)
        print(report(guarded), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problems = []
    if guarded["ledger_mismatches"]:
        first = guarded["ledger_mismatches"][0]
        problems.append(f"the ledger differed from the table after "
                        f"{len(guarded['ledger_mismatches'])} restart(s), first {first}")
    for side in (plain, guarded):
        if len(set(side["set_counts"])) > 1:
            problems.append(f"the set count changed: {sorted(set(side['set_counts']))}")
        if side["sets_left_after_stop"]:
            problems.append(f"{side['sets_left_after_stop']} set(s) left after a clean stop")
        if side["restarts"] == 0:
            problems.append("no restart finished in the time bound")
    allowed = plain["failed_requests"] + max(20, plain["failed_requests"] // 2)
    if guarded["failed_requests"] > allowed:
        problems.append(f"{guarded['failed_requests']} failed requests with the module, "
                        f"{plain['failed_requests']} without")
    growth = {s["module"]: steady_growth(s) for s in (plain, guarded)}
    if growth[True] - growth[False] > RSS_SLACK_KIB:
        problems.append(f"after restart {WARMUP} the parent grew {growth[True]} KiB with the "
                        f"module, {growth[False]} KiB without")
    os.makedirs(BUILD, exist_ok=True)
    with open(os.path.join(BUILD, "soak.json"), "w") as f:
        json.dump({"server": SERVER.name, "plain": plain, "guarded": guarded,
                   "problems": problems}, f, indent=1)
    for p in problems:
        print(f"FAIL: {p}")
    print("RESULT: soak " + ("failed" if problems else "passed"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
