"""`make demo`: what kill -9 does to the semaphore table with and without mod_semguard, and what
the usual `ipcs | ipcrm` cron line does to a live server, shown on real apache2 servers in a
private IPC and PID namespace with room for only SEMMNI sets. Run through tests/tools/demo.sh.

The demo checks what it shows: it exits 1 when the stock server did not fail, a start with the
module failed, or the cron line did not hurt the live server (or semguardctl said otherwise)."""
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from support import set_semmni  # noqa: E402  (also puts tests/tools on the path)
from instance import SERVER, Instance, kernel_sets  # noqa: E402
from demo_ctl import Ctl, ledger_args  # noqa: E402
from demo_outcome import Outcome  # noqa: E402
from demo_show import Show, tagged  # noqa: E402
import demo_cron  # noqa: E402

SEMMNI = 12
MAX_STOCK_STARTS = SEMMNI  # 2 sets a run: the stock server must fail long before this


def in_demo_namespace():
    """demo.sh's namespace: pid 1 is build/reaper, and demo.sh said so. Anywhere else the demo
    would write the host's kernel.sem and remove the host's sets: it refuses."""
    try:
        init = os.path.basename(os.readlink("/proc/1/exe"))
    except OSError:
        return False
    return os.environ.get("SEMGUARD_DEMO_NAMESPACE") == "1" and init == "reaper"


def came_up(inst):
    try:
        inst.wait_ready()
        return True
    except AssertionError:
        return False


def table():
    return sorted(kernel_sets())


class Demo:
    def __init__(self, root):
        self.root = root
        self.show = Show()
        self.check = Outcome(self.show)
        self.ctl = Ctl()
        self.instances = []
        self.figures = {}

    def instance(self, name, **kwargs):
        inst = Instance(os.path.join(self.root, name), **kwargs).create()
        self.instances.append(inst)
        return inst

    def clean_up(self):
        for inst in self.instances:
            inst.kill9()
        shutil.rmtree(self.root, ignore_errors=True)

    def used(self):
        return f"{len(kernel_sets())} of {SEMMNI} sets in use"

    # ---- 1 --------------------------------------------------------------------------------
    def stock(self):
        self.show.step(1, "A stock apache2, without mod_semguard, killed with kill -9 after each "
                          "start")
        self.show.say("Each run makes 2 semaphore sets: prefork's accept mutex and mod_ssl's "
                      "session cache lock. kill -9 gives httpd no chance to remove them, and "
                      "nothing else does.")
        inst = self.instance("stock", semguard=False)
        failed = None
        for n in range(1, MAX_STOCK_STARTS + 1):
            r = inst.start(expect_ok=False)
            if r.returncode != 0:
                failed = (n, r.stdout + r.stderr)
                break
            inst.wait_ready()
            running = self.used()
            inst.kill9()
            self.show.say(f"start {n}: runs, {running}; after kill -9: {self.used()}", 6)
        if not self.check.expect(failed, f"the stock server never failed in {MAX_STOCK_STARTS} "
                                         f"starts ({self.used()})"):
            return False
        n, output = failed
        full = len(kernel_sets())
        self.show.say(f"start {n}: FAILS (exit code 1), with {full} of {SEMMNI} sets in use. "
                      "httpd says:", 6)
        self.show.log_lines([line for line in output.splitlines() if "No space left" in line], 9)
        self.check.expect("No space left on device" in output and "AH00023" in output,
                          f"start {n} failed, but not with AH00023 No space left on device")
        self.check.expect(full == SEMMNI, f"the table holds {full} sets, not {SEMMNI}")
        self.figures["stock"] = (n, n - 1, full)
        self.stock_in_ctl()
        return self.clear_stock_leftovers(inst)

    def stock_in_ctl(self):
        self.show.say("semguardctl list: no ledger knows these sets, so it marks each one a "
                      "'candidate' (httpd-shaped, free, its last user gone):")
        text, _ = self.ctl.text("list")
        rows = [line for line in text if line[:1].isdigit()]
        self.show.lines([line for line in text if line.startswith("semaphore table")] + rows[:2])
        if len(rows) > 2:
            self.show.lines([f"... and {len(rows) - 2} more lines like these"])
        listing = self.ctl.json("list")
        marks = [s["mark"] for s in listing["sets"]]
        self.check.expect(marks and set(marks) == {"candidate"},
                          f"semguardctl list marked the stock leftovers {sorted(set(marks))}")
        if rows:
            first = rows[0].split()[0]
            self.show.say(f"semguardctl explain {first}:")
            self.show.lines(self.ctl.text("explain", first)[0])

    def clear_stock_leftovers(self, inst):
        ledger = os.path.join(inst.root, "run", "none.ledger")
        self.show.say("Before step 2 the stock leftovers go: semguardctl cleanup --adopt remove "
                      "(the stock server keeps no ledger, so only the adoption scan runs; it "
                      "removes httpd-shaped sets that are free and whose last user is gone):")
        text, code = self.ctl.text("cleanup", "--adopt", "remove", "--ledger", ledger)
        adopted = [line for line in text if "SG00019" in line]
        self.show.lines(adopted[:1] + [f"... {len(adopted)} SG00019 lines in all"] + text[-1:])
        left = len(kernel_sets())
        self.show.say(f"The table: {left} of {SEMMNI} sets in use.")
        return self.check.expect(code == 0 and left == 0,
                                 f"semguardctl cleanup exit {code}, {left} sets left")

    # ---- 2 --------------------------------------------------------------------------------
    def guarded(self, starts):
        self.show.step(2, f"The same apache2 with mod_semguard: {starts} starts, kill -9 after "
                          "each but the last")
        self.show.say("The module records its sets in a ledger. At the next start it proves the "
                      "killed run is dead and its sets are the very ones recorded, then removes "
                      "them, before httpd makes its new sets.")
        inst = self.instance("guarded")
        removed_total, peak = 0, 0
        for n in range(1, starts + 1):
            leftovers = table()
            mark = inst.log_size()
            r = inst.start(expect_ok=False)
            up = r.returncode == 0 and came_up(inst)
            if not self.check.expect(up, f"start {n} with mod_semguard failed: "
                                         f"{(r.stdout + r.stderr).strip()}"):
                return None
            log = inst.error_log()[mark:]
            removed = tagged(log, "SG00015")
            removed_total += len(removed)
            peak = max(peak, len(kernel_sets()))
            self.check.expect(not set(leftovers) & set(kernel_sets()),
                              f"start {n} left the killed run's sets {leftovers} in the table")
            self.check.expect(len(removed) == len(leftovers),
                              f"start {n}: {len(removed)} SG00015 lines, {len(leftovers)} "
                              "leftovers")
            self.show_guarded_start(n, log, removed, leftovers)
            if n == starts:
                break
            inst.kill9()
            peak = max(peak, len(kernel_sets()))
            if n == 1:
                self.leftovers_in_ctl(inst)
        self.figures["guarded"] = (starts, starts - 1, removed_total, peak)
        self.show.say(f"{starts} of {starts} starts succeeded after {starts - 1} kill -9; "
                      f"{removed_total} leftover sets removed; at most {peak} of {SEMMNI} sets "
                      "were in use.")
        return inst

    def show_guarded_start(self, n, log, removed, leftovers):
        if n == 2:
            self.show.say(f"start 2: runs, {self.used()}. Its ErrorLog:", 6)
            self.show.log_lines(tagged(log, "SG00025", "SG00015", "SG00017"), 9)
            return
        ids = ", ".join(str(s) for s in leftovers)
        done = f"SG00015 removed the killed run's sets {ids}" if removed else \
            "nothing to remove (SG00017: 0 removed)"
        self.show.say(f"start {n}: runs, {self.used()}; {done}", 6)

    def leftovers_in_ctl(self, inst):
        ledger = inst.ledger_path()
        args = ledger_args(ledger)
        self.show.say("After this kill -9, semguardctl list --ledger $LEDGER (the module's "
                      "ledger) says the killed run is dead and its sets are leftovers:", 6)
        self.show.name(ledger, "$LEDGER", 9)
        text, _ = self.ctl.text("list", *args)
        self.show.lines([line.strip() for line in text if line[:1].isdigit() or
                         line.startswith(("  /", "semaphore table"))], 9)
        listing = self.ctl.json("list", *args)
        recorded = [s for s in listing["sets"] if s.get("ledger") == ledger]
        self.check.expect(recorded and all(s["mark"] == "leftover" and s["removable"]
                                           for s in recorded),
                          f"semguardctl list did not mark the killed run's sets as removable "
                          f"leftovers: {recorded}")
        if recorded:
            semid = str(recorded[0]["semid"])
            self.show.say(f"semguardctl explain {semid}:", 6)
            self.show.lines(self.ctl.text("explain", semid, *args)[0], 9)
            self.check.expect(self.ctl.json("explain", semid, *args).get("would_remove"),
                              f"semguardctl explain {semid}: would not remove a dead run's set")

    # ---- the end ----------------------------------------------------------------------------
    def run(self):
        if not self.stock():
            return
        inst = self.guarded(self.figures["stock"][0] + 2)
        if inst:
            demo_cron.CronStep(self).run(inst)

    def summary(self):
        f = self.figures
        parts = []
        if "stock" in f:
            n, kills, full = f["stock"]
            parts.append(f"stock apache2: start {n} failed with AH00023 after {kills} kill -9 "
                         f"({full} of {SEMMNI} sets)")
        if "guarded" in f:
            starts, kills, removed, peak = f["guarded"]
            parts.append(f"with mod_semguard: {starts} of {starts} starts after {kills} kill -9, "
                         f"{removed} leftovers removed, at most {peak} of {SEMMNI} sets")
        if "prefork" in f:
            count, tags, down = f["prefork"]
            parts.append(f"cron line: took the live prefork server's {count} sets, which exited "
                         f"({', '.join(tags)})" if down else "cron line: prefork server still up")
        if "event" in f:
            answered, locks, alerts = f["event"]
            parts.append(f"the event server's set: {locks} x AH02026, {alerts} x SG00007")
        return "; ".join(parts)


def main():
    if not in_demo_namespace():
        print("demo.py runs only inside tests/tools/demo.sh's private namespace (make demo)",
              file=sys.stderr)
        return 2
    started = time.time()
    set_semmni(SEMMNI)
    root = tempfile.mkdtemp(prefix="sgdemo-")
    os.chmod(root, 0o755)
    demo = Demo(root)
    demo.show.say(f"mod_semguard demo on the {SERVER.name} server ({SERVER.binary}), in a "
                  f"private IPC and PID namespace where kernel.sem is '{open_sem()}': room for "
                  f"{SEMMNI} semaphore sets (SEMMNI).", 0)
    demo.show.name(root, "$DEMO", 0)
    try:
        demo.run()
    except Exception as e:  # a harness error is a failed demo, reported like the others
        demo.check.expect(False, f"the demo stopped: {type(e).__name__}: {e}")
    finally:
        demo.clean_up()
    took = time.time() - started
    return demo.check.finish(demo.summary(), took)


def open_sem():
    with open("/proc/sys/kernel/sem") as f:
        return " ".join(f.read().split())


if __name__ == "__main__":
    sys.exit(main())
