"""`make bench`: mod_semguard's costs as ratios against a baseline measured in the same run.
BENCH_ONLY=cleanup,wholestart,requests,page,graceful picks sections (startup: the foreign-set
starts of wholestart alone); BENCH_REPEATS sets repeats, BENCH_START_REPEATS those of wholestart.

Runs inside a private IPC + PID namespace (bench/run.sh) with kernel.sem raised. Prints one table
of ratios and writes build/bench/results.json; docs/performance.md explains the method.
"""
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
BUILD = os.path.join(PROJECT, "build")
sys.path.insert(0, os.path.join(PROJECT, "tests", "tools"))
from instance import SERVER, Instance, kernel_sets, read_ledger  # noqa: E402
from semtable import clear_table, foreign_sets, leftovers, set_semmni, sets_in_use  # noqa: E402
sys.path.insert(0, os.path.join(PROJECT, "tests", "integration"))
from support import rewrite_ledger  # noqa: E402

OUT = os.path.join(BUILD, "bench")
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
START_REPEATS = int(os.environ.get("BENCH_START_REPEATS", "5"))
rows = []


def row(what, ours, base, unit, target=None, higher_is_better=False, noise=None):
    """`noise`: a difference of two medians below it (the spread of the samples it came from)
    is not a measurement, and no target is met or missed by it."""
    ratio = ours / base if base else float("nan")
    ok = "" if target is None else ("met" if (ratio >= target if higher_is_better else ratio <= target) else "MISSED")
    if target is not None and noise is not None and ours < noise:
        ok = "noise"
    rows.append({"what": what, "ours": ours, "baseline": base, "unit": unit, "ratio": ratio,
                 "target": target, "higher_is_better": higher_is_better, "verdict": ok})
    goal = "" if target is None else (f">= {target}" if higher_is_better else f"<= {target}")
    print(f"  {what:<58} {ours:>11.2f} {base:>11.2f} {unit:<6} {ratio:>7.2f} {goal:<8} {ok}", flush=True)


def median_spread(values):
    return statistics.median(values), (max(values) - min(values))


# ---- 1. leftover removal ----
def bench_cleanup():
    print("\n1. Leftover removal at start (core cleanup vs shell loops vs floor)", flush=True)
    out = subprocess.run([os.path.join(BUILD, "cleanup_bench"), "1000", "10000", "30000"],
                         capture_output=True, text=True, check=True).stdout
    results = {}
    for line in out.splitlines()[1:]:
        case, n, med, lo, hi = line.split()
        results[(case, int(n))] = (float(med), float(lo), float(hi))
    for n in (1000, 10000, 30000):
        floor = results[("floor", n)][0]
        for case in ("module-adopt", "module-ledger"):
            row(f"{case}, {n} leftovers, vs floor", results[(case, n)][0], floor, "ms", target=1.5)
        row(f"proof floor, {n} leftovers, vs floor", results[("proof-floor", n)][0], floor, "ms")
        module = results[("module-adopt", n)][0]
        row(f"module-adopt, {n} leftovers, vs proof floor", module,
            results[("proof-floor", n)][0], "ms")
        row(f"module-adopt, {n} leftovers, vs one ipcrm", module, results[("one-ipcrm", n)][0], "ms")
        row(f"module-adopt, {n} leftovers, vs per-id loop", module, results[("per-id-loop", n)][0], "ms")
    per_set = [results[("module-adopt", n)][0] / n * 1000 for n in (1000, 10000, 30000)]
    print("  module-adopt cost per set (us) at 1k/10k/30k: " + ", ".join(f"{x:.2f}" for x in per_set))
    return {f"{c}/{n}": v for (c, n), v in results.items()}, per_set


# ---- helpers for the server benchmarks ----
def instance(name, semguard, extra=""):
    # BENCH_MODULE: another build of the module (an A/B run against an older commit's .so).
    module = os.environ.get("BENCH_MODULE") or SERVER.module
    inst = Instance(os.path.join(OUT, name), module=module, semguard=semguard, loglevel="warn",
                    extra=extra).create()
    with open(os.path.join(inst.root, "htdocs", "static.html"), "w") as f:
        f.write("x" * 4096)
    return inst


def answered(port, timeout=30):
    """Waits until the server answers a request on `port` (polled every millisecond)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/"):
                    return
        except OSError:
            pass
        time.sleep(0.001)
    raise AssertionError(f"no answer on port {port}")


def start_time(inst):
    """`apache2 -k start` until the server answers, in ms."""
    t0 = time.perf_counter()
    r = inst.apache("-k", "start")
    assert r.returncode == 0, f"start failed: {r.stderr}{inst.error_log()[-2000:]}"
    answered(inst.port)
    ms = (time.perf_counter() - t0) * 1000
    inst.wait_ready()
    return ms


def wrk(url, seconds=4, connections=16):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def bench_startup():
    print("\n2b. Start beside live foreign sets (until the server answers)", flush=True)
    result = {}
    for foreign in (0, 30000):
        holder = foreign_sets(foreign) if foreign else None
        times = {True: [], False: []}
        for _ in range(REPEATS):
            for semguard in (False, True):
                inst = instance(f"start-{semguard}", semguard)
                times[semguard].append(start_time(inst))
                inst.stop()
        if holder:
            holder.stop()
            clear_table()
        result[foreign] = {k: statistics.median(v) for k, v in times.items()}
        row(f"start, {foreign} foreign sets, with vs without module", result[foreign][True],
            result[foreign][False], "ms")
    row("start with module, 30000 foreign sets vs empty table", result[30000][True],
        result[0][True], "ms", target=1.3)
    # What no start that keeps every proof can go below: each pass (the starter's, the daemon's)
    # scans the whole table at least twice, its pre_config snapshot and the complete search for
    # its own sets at post_config-last (docs/performance.md).
    scan = scan_ms(30000)
    scan_floor = result[0][True] + 4 * scan
    result["scan_ms"] = scan
    row("  one bare full scan of 30000 sets vs the empty start", scan, result[0][True], "ms")
    row("  the same start vs empty start + 4 bare full scans", result[30000][True], scan_floor,
        "ms")
    return result


def scan_ms(n):
    """One bare SEM_STAT pass over a table of n sets (cleanup_bench.cc), in its own namespace."""
    out = subprocess.run([os.path.join(BUILD, "cleanup_bench"), "scan", str(n)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.splitlines()[1].split()[2])


def floor_ms(counts):
    """{N: floor ms} and {N: proof floor ms}: SEM_STAT + IPC_RMID, and that plus the reads every
    proof needs (IPC_STAT, GETPID, GETVAL, GETNCNT, GETZCNT), no other work (cleanup_bench.cc)."""
    out = subprocess.run([os.path.join(BUILD, "cleanup_bench"), "floor", *map(str, counts)],
                         capture_output=True, text=True, check=True).stdout
    cases = {"floor": {}, "proof-floor": {}}
    for line in out.splitlines()[1:]:
        case, n, med = line.split()[:3]
        cases[case][int(n)] = float(med)
    return cases["floor"], cases["proof-floor"]


def ledger_with(inst, semids):
    """Adds `semids` (made by leftovers()) to the dead run's ledger as sets that run recorded."""
    table = kernel_sets()
    owner_pid = read_ledger(inst.ledger_path())["owner"]["pid"]
    lines = []
    for semid in semids:
        k = table[semid]
        lines.append(f"set semid={semid} key=0 uid={k['uid']} gid={k['gid']} cuid={k['cuid']} "
                     f"cgid={k['cgid']} mode={k['perms'] & 0o777:o} nsems=1 ctime={k['ctime']} "
                     f"pid={owner_pid} gen=1 type=mpm-accept")
    rewrite_ledger(inst.ledger_path(), lambda body: body + lines)


def leftover_cost(samples):
    """What the leftovers cost a start: the median start with them minus the median without."""
    return statistics.median(samples["leftovers"]) - statistics.median(samples["empty"])


def start_noise(samples):
    """The spread of the starts without leftovers: a cost below it is within the noise."""
    return max(samples["empty"]) - min(samples["empty"])


def cost_rows(path, n, samples, floor, proof_floor):
    """What n leftovers cost a start on `path`, against the floor and the proof floor."""
    cost = leftover_cost(samples)
    row(f"start, {path} path, {n} leftovers, cost vs floor", cost, floor, "ms", target=1.5,
        noise=start_noise(samples))
    row("  the same vs the proof floor", cost, proof_floor, "ms")


def bench_wholestart():
    """What N leftovers cost a whole start: (start with them) - (the same start without them),
    against the floor of removing them (SEM_STAT over the table + IPC_RMID, no checks)."""
    print("\n2. Whole start with N leftovers minus the same start without them, vs the floor",
          flush=True)
    counts = (1000, 10000, 30000)
    floors, proof_floors = floor_ms(counts)
    uid, gid = SERVER.uid, SERVER.gid
    result = {"floor": floors, "proof-floor": proof_floors}
    adopt = instance("ws-adopt", True, extra="SemGuardAdopt Remove")
    for n in counts:
        samples = {"empty": [], "leftovers": []}
        for _ in range(START_REPEATS):
            samples["empty"].append(start_time(adopt))
            adopt.stop()
            made = set(leftovers(n, uid, gid))
            samples["leftovers"].append(start_time(adopt))
            assert not made & set(kernel_sets()), "the adoption left leftovers behind"
            adopt.stop()
        result[f"adopt/{n}"] = samples
        cost_rows("adoption", n, samples, floors[n], proof_floors[n])
    # The ledger path: a run killed with -9 (owner dead), its ledger naming n more leftovers.
    # A ledger holds at most 4096 sets (ledger_format.h), so n stops there.
    ledger = instance("ws-ledger", True)
    for n in (1000, 4000):
        if n not in floors:
            more, more_proof = floor_ms([n])
            floors.update(more)
            proof_floors.update(more_proof)
        samples = {"empty": [], "leftovers": []}
        for _ in range(START_REPEATS):
            for case in ("empty", "leftovers"):
                ledger.start()
                ledger.kill9()
                made = set(leftovers(n, uid, gid)) if case == "leftovers" else set()
                if made:
                    ledger_with(ledger, sorted(made))
                samples[case].append(start_time(ledger))
                assert not made & set(kernel_sets()), "the ledger path left leftovers behind"
                ledger.stop()
        result[f"ledger/{n}"] = samples
        cost_rows("ledger", n, samples, floors[n], proof_floors[n])
    for key, samples in result.items():
        if key not in ("floor", "proof-floor"):
            per_set = leftover_cost(samples) / int(key.split("/")[1]) * 1000
            print(f"  {key}: empty {statistics.median(samples['empty']):.1f} ms, with leftovers "
                  f"{statistics.median(samples['leftovers']):.1f} ms, {per_set:.2f} us per set")
    clear_table()
    result["foreign"] = bench_startup()
    return result


def bench_requests():
    print("\n3. Request path: a static file, module loaded vs not (higher is better)", flush=True)
    with_module, without = instance("req-on", True), instance("req-off", False)
    with_module.start()
    without.start()
    rates = {True: [], False: []}
    for _ in range(REPEATS):
        for inst, key in ((without, False), (with_module, True)):
            rates[key].append(wrk(f"http://127.0.0.1:{inst.port}/static.html"))
    with_module.stop()
    without.stop()
    ours, spread_ours = median_spread(rates[True])
    base, spread_base = median_spread(rates[False])
    row("static file req/s, loaded vs not", ours, base, "req/s", target=0.95, higher_is_better=True)
    print(f"  spread (max-min): loaded {spread_ours:.0f} req/s, not loaded {spread_base:.0f} req/s")
    return rates


def bench_page():
    print("\n4. Counts page (higher is better)", flush=True)
    inst = instance("page", True, extra="ExtendedStatus On")
    inst.start()
    base = inst.port

    def rate(path):
        return statistics.median(wrk(f"http://127.0.0.1:{base}{path}", seconds=3) for _ in range(3))

    status_auto = rate("/server-status?auto")
    ours_auto = rate("/semguard-status?auto")
    row("/semguard-status?auto vs /server-status?auto", ours_auto, status_auto, "req/s", target=1.5,
        higher_is_better=True)
    for q in ("?prometheus", "?json", ""):
        row(f"/semguard-status{q or ' (HTML)'} vs /server-status?auto", rate("/semguard-status" + q),
            status_auto, "req/s")
    holder = foreign_sets(30000)
    crowded = rate("/semguard-status?auto")
    row("/semguard-status?auto, 30000 foreign sets vs empty table", crowded, ours_auto, "req/s", target=0.9,
        higher_is_better=True)
    holder.stop()
    clear_table()
    inst.stop()


def graceful_ms(inst):
    """`-k graceful` until the parent logs "resuming normal operations" and the server answers,
    both polled every millisecond (the tests' helpers poll every 50 ms, too coarse to time)."""
    marker = inst.log_size()
    t0 = time.perf_counter()
    r = inst.apache("-k", "graceful")
    assert r.returncode == 0, r.stderr
    deadline = t0 + 15
    while "resuming normal operations" not in inst.error_log()[marker:]:
        assert time.perf_counter() < deadline, "graceful restart did not finish"
        time.sleep(0.001)
    answered(inst.port)
    ms = (time.perf_counter() - t0) * 1000
    time.sleep(0.5)  # the old generation's children finish before the next sample
    return ms


def bench_graceful():
    print("\n5. Graceful restart (until the new generation serves), with vs without", flush=True)
    times = {}
    for semguard in (False, True):
        inst = instance(f"graceful-{semguard}", semguard, extra="LogLevel notice")
        inst.start()
        samples = []
        for _ in range(REPEATS):
            samples.append(graceful_ms(inst))
        inst.stop()
        times[semguard] = samples
    row("graceful restart", statistics.median(times[True]), statistics.median(times[False]), "ms")
    return times


def main():
    os.makedirs(OUT, exist_ok=True)
    os.chmod(OUT, 0o755)
    set_semmni(None)
    commit = subprocess.run(["git", "-C", PROJECT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    print(f"mod_semguard benchmarks: commit {commit}, {platform.node()}, {os.cpu_count()} cpus, "
          f"kernel {platform.release()}, {REPEATS} repeats")
    print(f"  {'measurement':<58} {'ours':>11} {'baseline':>11} {'unit':<6} {'ratio':>7} {'target':<8}")
    raw = {"commit": commit, "kernel": platform.release(), "cpus": os.cpu_count()}
    only = os.environ.get("BENCH_ONLY", "cleanup,wholestart,requests,page,graceful").split(",")
    if "cleanup" in only:
        raw["cleanup"], raw["cleanup_us_per_set"] = bench_cleanup()
    if "wholestart" in only:
        raw["wholestart"] = bench_wholestart()
    elif "startup" in only:
        raw["startup"] = bench_startup()
    if "requests" in only:
        raw["requests"] = bench_requests()
    if "page" in only:
        bench_page()
    if "graceful" in only:
        raw["graceful"] = bench_graceful()
    raw["rows"] = rows
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(raw, f, indent=1, default=str)
    print(f"\nraw figures: {os.path.join(OUT, 'results.json')}")


if __name__ == "__main__":
    main()
