"""apache2 -X under valgrind memcheck with mod_semguard: start, every page format, stop.

Run by tests/tools/valgrind-run.sh inside a private IPC + PID namespace. Reads valgrind's XML
report and fails when any error's stack passes through the module (mod_semguard.so, its C glue
or the C++ core); errors wholly inside httpd, APR, OpenSSL or libc are listed, not counted
(the known ones are suppressed, each explained, in tests/tools/valgrind.supp).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from instance import Instance, kernel_sets  # noqa: E402
from servers import SERVERS  # noqa: E402

PROJECT = os.path.dirname(os.path.dirname(HERE))
# Debian's apache2, with the module `make build` made by its apxs.
SERVER = SERVERS["debian"]
OUT = os.path.join(PROJECT, "build", "valgrind")
XML = os.path.join(OUT, "memcheck.xml")
SUPP = os.path.join(PROJECT, "tests", "tools", "valgrind.supp")

# (path, expected status, a text the body must hold)
PAGES = [
    ("/semguard-status", 200, "<html"),
    ("/semguard-status?auto", 200, "ServerSets: "),
    ("/semguard-status?json", 200, "{"),
    ("/semguard-status?prometheus", 200, "# TYPE"),
    ("/semguard-status?refresh=5", 200, "<html"),
    ("/semguard-status?bogus", 400, "bogus"),
    ("/server-status", 200, "<html"),
    ("/server-status?auto", 200, "SemGuardServerSets: "),
]


def get(inst, path):
    try:
        return inst.get(path, timeout=60)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def ours(frames):
    """True when a stack passes through the module: its DSO or a source file of this project."""
    for f in frames:
        obj, fn = f.get("obj", ""), f.get("fn", "")
        path = f.get("dir", "") + "/" + f.get("file", "")
        if obj.endswith("mod_semguard.so") or "semguard" in fn or fn.startswith("sg_"):
            return True
        if path.startswith(PROJECT + "/") and ("/src/" in path or path.endswith("mod_semguard.c")):
            return True
    return False


def read_report(path):
    root = ET.parse(path).getroot()
    errors = []
    for e in root.findall("error"):
        frames = [{c.tag: c.text or "" for c in fr} for fr in e.findall("stack/frame")]
        what = e.findtext("what") or e.findtext("xwhat/text") or ""
        errors.append({"kind": e.findtext("kind"), "what": what, "frames": frames,
                       "ours": ours(frames)})
    suppressed = {p.findtext("name"): int(p.findtext("count"))
                  for p in root.findall("suppcounts/pair")}
    finished = any(s.findtext("state") == "FINISHED" for s in root.findall("status"))
    return errors, suppressed, finished


def show(err):
    top = [f"{f.get('fn', '?')} ({f.get('obj', '?').rsplit('/', 1)[-1]})"
           for f in err["frames"][:8]]
    return f"{err['kind']}: {err['what']}\n      " + "\n      ".join(top)


def main(argv):
    # --module PATH: another build of the module (e.g. one with a planted fault, to see this fail).
    module = argv[argv.index("--module") + 1] if "--module" in argv else None
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    inst = Instance(os.path.join(OUT, "instance"), mutex="sysvsem", server=SERVER,
                    module=os.path.abspath(module) if module else SERVER.module).create()
    cmd = ["valgrind", "--tool=memcheck", "--leak-check=full",
           "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
           # The module is loaded, unloaded and loaded again during the start: keep the symbols
           # of the first load so that stacks through it still name our functions.
           "--keep-debuginfo=yes", "--num-callers=40", "--gen-suppressions=all",
           f"--suppressions={SUPP}", "--xml=yes", f"--xml-file={XML}",
           f"--log-file={os.path.join(OUT, 'valgrind.log')}",
           SERVER.binary, "-f", inst.conf, "-X"]
    print("  VALGRIND", " ".join(cmd[-4:]))
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        inst.wait_ready(timeout=240)
        print(f"  up after {time.time() - started:.0f} s")
        for path, status, text in PAGES:
            code, body = get(inst, path)
            ok = code == status and text in body
            print(f"  GET {path}: {code}, {len(body)} bytes{'' if ok else '  <- unexpected'}")
            if not ok:
                failures.append(f"{path}: {code}, wanted {status} with {text!r}")
            if path.endswith("?json") and code == 200:
                json.loads(body)
    finally:
        # -X: the one process is httpd's parent; SIGTERM is httpd's "stop".
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=240)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            failures.append("apache2 did not stop within 240 s of SIGTERM")
    if proc.returncode != 0:
        failures.append(f"valgrind/apache2 exited with {proc.returncode}")
    print(f"  stopped, {time.time() - started:.0f} s in all; semaphore sets left in this "
          f"namespace: {len(kernel_sets())}")
    log = inst.error_log()
    if "SG0" not in log:
        failures.append("the error log has no SG line: did the module run?")

    errors, suppressed, finished = read_report(XML)
    if not finished:
        failures.append("valgrind's report is incomplete")
    mine = [e for e in errors if e["ours"]]
    others = [e for e in errors if not e["ours"]]
    print(f"  valgrind: {len(errors)} errors, {len(mine)} through mod_semguard, "
          f"{len(others)} elsewhere; {sum(suppressed.values())} suppressed "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(suppressed.items())) or 'none'})")
    for e in others:
        print("    not ours:", show(e))
    for e in mine:
        print("    OURS:", show(e))
    if mine:
        failures.append(f"{len(mine)} valgrind errors through mod_semguard (see {XML})")
    if failures:
        print("valgrind: FAILED\n  " + "\n  ".join(failures))
        return 1
    print("valgrind: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
