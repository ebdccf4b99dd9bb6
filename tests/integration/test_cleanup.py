"""Issue 3: at the next start, remove what the previous unclean run left, and never a live set.

Each test that claims a failure is prevented also shows that failure without the module."""
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

from support import (SERVER, TEST_MODULE, ServerTest, kernel_sets, pid_alive, read_ledger,
                     replace_field, rewrite_ledger, set_semmni)

# The server's User: httpd's sets belong to it, so decoys of the same shape do too.
WWW_DATA = str(SERVER.uid)


def ledger_sets(inst):
    return set(read_ledger(inst.ledger_path())["sets"])


class KillStormTest(ServerTest):
    """The failure the module exists for: SEMMNI fills up with sets leaked by kill -9."""

    def storm(self, inst, cycles):
        """start + kill -9, `cycles` times; returns the 1-based cycle whose start failed, or None."""
        for cycle in range(1, cycles + 1):
            r = inst.start(expect_ok=False)
            if r.returncode != 0 or not self.wait_up(inst):
                self.failed_start = r.stdout + r.stderr + inst.error_log()[-3000:]
                return cycle
            inst.kill9()
        return None

    def wait_up(self, inst, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if inst.processes() and inst.answers():
                return True
            if not inst.processes():
                return False
            time.sleep(0.05)
        return False

    def test_without_the_module_a_start_fails_with_enospc(self):
        set_semmni(20)
        foreign = self.hold("-n", "2")
        inst = self.instance(semguard=False)
        failed_at = self.storm(inst, 40)
        self.assertIsNotNone(failed_at, "40 kill -9 cycles without the module should fill SEMMNI=20")
        self.assertLessEqual(failed_at, 10)
        self.assertIn("No space left on device", self.failed_start)
        self.assertIn("AH00023", self.failed_start)
        self.assertTrue(set(foreign.semids) <= set(kernel_sets()))

    def test_with_the_module_forty_kill9_cycles_all_start(self):
        set_semmni(20)
        foreign = self.hold("-n", "2")
        inst = self.instance()
        self.assertIsNone(self.storm(inst, 40), getattr(self, "failed_start", ""))
        inst.start()
        table = set(kernel_sets())
        self.assertEqual(table, ledger_sets(inst) | set(foreign.semids))
        self.assertEqual(len(table), 4)
        self.assertGreaterEqual(inst.error_log().count("SG00015"), 2)


    def test_a_table_full_of_other_sets_is_diagnosed_before_httpds_own_error(self):
        set_semmni(10)
        self.hold("-n", "10")  # another program's, alive: nothing the module may take
        inst = self.instance()
        r = inst.start(expect_ok=False)
        out = r.stdout + r.stderr  # before the ErrorLog opens, both go to the terminal
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("AH00023: Couldn't create the mpm-accept mutex", out)
        self.assertIn("SG00021", out)
        self.assertLess(out.index("SG00021"), out.index("AH00023"), "the diagnosis comes first")
        self.assertRegex(out, r"SG00021: .*10 of 10 sets \(SEMMNI\) and 10 of \d+ semaphores \(SEMMNS\) in use; sets by owner uid 0: 10;")


class LiveProtectionTest(ServerTest):
    def test_a_live_server_keeps_every_set_through_restarts_and_a_neighbours_crash(self):
        foreign = self.hold("-n", "2")
        a = self.instance("a")
        a.start()

        def a_is_whole(step):
            self.assertEqual(a.get("/")[0], 200, step)
            table = set(kernel_sets())
            self.assertTrue(ledger_sets(a) <= table, f"{step}: a set of A's is gone")
            self.assertTrue(set(foreign.semids) <= table, f"{step}: a foreign set is gone")

        a_ssl = {s for s, r in read_ledger(a.ledger_path())["sets"].items() if r["type"] == "ssl"}
        self.assertEqual(a.apache("-t").returncode, 0)
        a_is_whole("config test")
        self.assertIn("already running", a.apache("-k", "start").stdout)
        a_is_whole("second -k start")
        for i in range(3):
            a.generation_after("graceful")
            a_is_whole(f"graceful {i + 1}")
        self.assertTrue(a_ssl <= set(kernel_sets()))

        b = self.instance("b")
        b.start()
        b_sets = ledger_sets(b)
        b.kill9()
        a_is_whole("B killed")
        b.start()
        a_is_whole("B started again")
        self.assertFalse(b_sets & set(kernel_sets()), "B's leftovers are still there")
        self.assertEqual(b.error_log().count("SG00015"), len(b_sets))
        self.assertNotIn("SG00015", a.error_log())


class CrashDuringStartTest(ServerTest):
    def crashing(self, name, when, semguard=True):
        extra = f"LoadModule semguard_testhooks_module {TEST_MODULE}\nTestCrashAtStart {when}"
        return self.instance(name, extra=extra, semguard=semguard)

    def fail_starts(self, inst, times):
        for _ in range(times):
            inst.apache("-k", "start")
            inst.wait_no_processes()

    def test_without_the_module_every_crashed_start_leaks(self):
        inst = self.crashing("plain", "first", semguard=False)
        self.fail_starts(inst, 3)
        self.assertEqual(len(kernel_sets()), 6, "accept + ssl-cache leak at each crashed start")

    def test_crashed_first_passes_are_cleaned_by_the_next_start(self):
        inst = self.crashing("a", "first")
        self.fail_starts(inst, 3)
        self.assertEqual(len(kernel_sets()), 2, "each crashed start removed the one before it")
        leaked = set(kernel_sets())
        self.assertEqual(ledger_sets(inst), leaked, "the crashed start's ledger names what it made")
        inst.extra = ""
        inst.write_config()
        inst.start()
        self.assertFalse(leaked & set(kernel_sets()))
        self.assertEqual(set(kernel_sets()), ledger_sets(inst))

    def test_a_daemon_that_crashes_in_its_first_generation_is_cleaned_too(self):
        inst = self.crashing("a", "daemon")
        self.fail_starts(inst, 1)
        leaked = set(kernel_sets())
        self.assertEqual(len(leaked), 2)
        self.assertEqual(ledger_sets(inst), leaked)
        inst.extra = ""
        inst.write_config()
        inst.start()
        self.assertFalse(leaked & set(kernel_sets()))

    def test_kill9_while_stopping_is_cleaned_at_the_next_start(self):
        for semguard in (False, True):
            extra = (f"LoadModule semguard_testhooks_module {TEST_MODULE}\nGracefulShutdownTimeout 30\n"
                     "<Location /sleep>\n  SetHandler semguard-test-sleep\n</Location>")
            inst = self.instance(f"stop-{semguard}", extra=extra, semguard=semguard)
            inst.start()
            parent = inst.parent_pid()
            made = set(kernel_sets())
            busy = threading.Thread(target=lambda: self.swallow(inst, "/sleep?20"), daemon=True)
            busy.start()
            time.sleep(0.5)
            inst.apache("-k", "graceful-stop")  # what systemd's ExecStop runs ...
            time.sleep(0.5)
            self.assertTrue(pid_alive(parent), "the parent waits for the busy child")
            inst.kill9()  # ... and what it does when TimeoutStopSec runs out
            self.assertEqual(set(kernel_sets()), made, "the sets leak")
            inst.start()
            if semguard:
                self.assertFalse(made & set(kernel_sets()))
            else:
                self.assertTrue(made <= set(kernel_sets()), "without the module they stay")
            inst.stop()
            for semid in kernel_sets():
                subprocess.run(["ipcrm", "-s", str(semid)])

    @staticmethod
    def swallow(inst, path):
        try:
            inst.get(path, timeout=30)
        except OSError:
            pass


class OwnerAndIdentityTest(ServerTest):
    """Rules that a recorded set goes only if its owner is dead and it is still the same set."""

    def killed(self, **kwargs):
        inst = self.instance(**kwargs)
        inst.start()
        leftovers = ledger_sets(inst)
        inst.kill9()
        return inst, leftovers

    def unrelated_process(self):
        proc = subprocess.Popen(["sleep", "300"])
        self.addCleanup(proc.kill)
        return proc.pid

    def test_pid_reuse_the_owner_pid_now_names_an_unrelated_process(self):
        inst, leftovers = self.killed()
        other = self.unrelated_process()
        rewrite_ledger(inst.ledger_path(),
                       lambda lines: [lines[0], replace_field(lines[1], "pid", other)] + lines[2:])
        inst.start()
        self.assertRegex(inst.error_log(), rf"SG00025: .*pid {other} now names another process")
        self.assertFalse(leftovers & set(kernel_sets()))
        self.assertEqual(inst.error_log().count("SG00015"), 2)

    def test_a_live_owner_keeps_everything(self):
        inst, leftovers = self.killed()
        other = self.unrelated_process()
        with open(f"/proc/{other}/stat") as f:
            start = f.read().rsplit(")", 1)[1].split()[19]
        rewrite_ledger(inst.ledger_path(), lambda lines: [
            lines[0], replace_field(replace_field(lines[1], "pid", other), "start", start)] + lines[2:])
        self.accept("SG00022")
        inst.start()
        self.assertRegex(inst.error_log(), rf"SG00022: .*pid {other} is still running")
        self.assertTrue(leftovers <= set(kernel_sets()))
        self.assertNotIn("SG00015", inst.error_log())

    def test_semid_reuse_a_recorded_semid_that_now_names_a_foreign_set_is_skipped(self):
        inst, leftovers = self.killed()
        ledger = read_ledger(inst.ledger_path())
        accept = next(s for s, r in ledger["sets"].items() if r["type"] == "mpm-accept")
        subprocess.run(["ipcrm", "-s", str(accept)], check=True)
        # A later second: the creation times differ, as they do for any real reuse of a semid
        # (same-second reuse with the same shape is indistinguishable; docs/operations.md).
        time.sleep(1.1)
        foreign = self.hold("-u", WWW_DATA, "-g", WWW_DATA, "-x").semids[0]
        # The ledger now claims the foreign set's semid, with the accept mutex's identity.
        rewrite_ledger(inst.ledger_path(), lambda lines: [
            replace_field(line, "semid", foreign) if f"semid={accept} " in line else line for line in lines])
        self.accept("SG00016", "SG00018")
        inst.start()
        self.assertRegex(inst.error_log(), rf"SG00016: kept semaphore set {foreign} .*semid now names another set")
        self.assertIn(foreign, kernel_sets())

    def test_orphaned_children_still_serving_keep_their_sets(self):
        inst = self.instance()
        inst.start()
        leftovers = ledger_sets(inst)
        parent = inst.parent_pid()
        children = [p for p in inst.processes() if p != parent]
        os.kill(parent, signal.SIGKILL)
        time.sleep(0.3)
        self.assertTrue(all(pid_alive(c) for c in children), "prefork children outlive a killed parent")
        self.accept("SG00001", "AH00072", "AH00451", "AH00015")
        r = inst.start(expect_ok=False)
        out = r.stdout + r.stderr + inst.error_log()
        self.assertRegex(out, r"SG00001: .*Processes of the previous run .* are still alive")
        self.assertTrue(leftovers <= set(kernel_sets()), "sets in use by orphans were removed")
        inst.kill9()
        inst.start()
        self.assertFalse(leftovers & set(kernel_sets()))


class AdoptionTest(ServerTest):
    """Leftovers no ledger knows: only exact httpd-shaped, free sets whose last user is dead, and
    with Remove only when no live httpd without the module could own them."""

    def leak_without_module(self, name):
        e = self.instance(name, semguard=False)
        e.start()
        made = set(kernel_sets())
        e.kill9()
        return made

    def decoys(self):
        """Sets a careless rule would take: none may go."""
        alive = self.hold("-u", WWW_DATA, "-g", WWW_DATA).semids          # same shape, creator alive
        shapes = (self.hold("-s", "2", "-u", WWW_DATA, "-g", WWW_DATA, "-x").semids +   # two semaphores
                  self.hold("-m", "666", "-u", WWW_DATA, "-g", WWW_DATA, "-x").semids +  # mode 0666
                  self.hold("-k", "0x5e36", "-u", WWW_DATA, "-g", WWW_DATA, "-x").semids)  # a real key
        return set(alive + shapes)

    def test_report_finds_the_candidates_and_removes_nothing(self):
        leaked = self.leak_without_module("e")
        decoys = self.decoys()
        self.accept("SG00018")
        d = self.instance("d")
        d.start()
        self.assertEqual(d.error_log().count("SG00018"), len(leaked))
        self.assertRegex(d.error_log(), r"SG00017: .* 2 adoption candidate\(s\) found, 0 adopted")
        self.assertTrue((leaked | decoys) <= set(kernel_sets()))

    def test_remove_takes_true_candidates_only(self):
        leaked = self.leak_without_module("e")
        decoys = self.decoys()
        d = self.instance("d", extra="SemGuardAdopt Remove")
        d.start()
        self.assertEqual(d.error_log().count("SG00019"), len(leaked))
        table = set(kernel_sets())
        self.assertFalse(leaked & table)
        self.assertTrue(decoys <= table)

    def test_past_twenty_removals_each_goes_at_info_and_one_line_counts_them(self):
        # A start logs its first 20 removals one by one at notice, which httpd 2.4 writes
        # whatever LogLevel says; the rest at info (LogLevel info lists them), counted in one
        # SG00048 line. Before the cap, each of the 33 had its own notice line.
        loud, quiet = 20, 13
        for loglevel in ("warn", "info"):
            leaked = set(self.hold("-n", str(loud + quiet), "-u", WWW_DATA, "-g", WWW_DATA,
                                   "-x").semids)
            d = self.instance(f"d{loglevel}", extra="SemGuardAdopt Remove", loglevel=loglevel)
            d.start()
            self.assertFalse(leaked & set(kernel_sets()), "every leftover went")
            log = d.error_log()
            lines = re.findall(r"\[semguard:(\w+)\].*SG00019: removed semaphore set (\d+),", log)
            notice = {int(semid) for level, semid in lines if level == "notice"}
            info = {int(semid) for level, semid in lines if level == "info"}
            self.assertEqual(len(notice), loud, log)
            self.assertEqual(len(info), quiet if loglevel == "info" else 0, log)
            self.assertTrue(notice | info <= leaked)
            if loglevel == "info":
                self.assertEqual(notice | info, leaked, "each removed set is named once")
            summary = re.findall(r"\[semguard:(\w+)\].*SG00048: (.*)", log)
            self.assertEqual(len(summary), 1, log)
            self.assertEqual(summary[0][0], "notice")
            self.assertIn(f"{quiet} more set(s) removed than the {loud} logged one by one: "
                          f"{quiet} httpd-shaped leftovers no ledger knows (SG00019)",
                          summary[0][1])
            self.assertRegex(log, rf"SG00017: .* {loud + quiet} adopted and removed")
            self.assertNotIn("SG00049", log)
            d.stop()

    def test_remove_is_blocked_while_an_httpd_without_the_module_runs(self):
        c = self.instance("c", semguard=False)
        c.start()  # idle, live: its accept lock is held, its ssl set looks free and abandoned
        c_sets = set(kernel_sets())
        self.accept("SG00018")
        d = self.instance("d", extra="SemGuardAdopt Remove")
        d.start()
        self.assertRegex(d.error_log(), r"SG00018: .*not removed: live httpd process\(es\) without mod_semguard")
        self.assertNotIn("SG00019", d.error_log())
        self.assertTrue(c_sets <= set(kernel_sets()))
        self.assertEqual(c.get("/")[0], 200)
        for _ in range(3):  # and C keeps serving through its accept lock
            self.assertEqual(c.get("/")[0], 200)
