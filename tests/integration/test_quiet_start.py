"""Quiet when all is well (issue 10, item 5): `httpd -k start` prints nothing of the module's on
the terminal (under systemd: the journal) after a clean stop or after a kill -9; its routine
lines go to the ErrorLog only. Problems (warn and worse) still reach the terminal, and the
ErrorLog too, once in each."""
import re

from support import ServerTest, kernel_sets

TAG = re.compile(r"\bSG\d{5}\b")


def tags(text):
    return TAG.findall(text)


class QuietStartTest(ServerTest):

    def start_and_capture(self, inst):
        """`-k start` as an operator or systemd runs it (tests/tools/instance.py): the terminal
        is the start command's stdout and stderr."""
        r = inst.start()
        return r.stdout + r.stderr

    def check_quiet(self, loglevel):
        inst = self.instance(loglevel=loglevel)
        terminal = self.start_and_capture(inst)
        self.assertEqual(tags(terminal), [], terminal)
        log = inst.error_log()
        self.assertEqual(log.count("SG00017"), 1, log)  # the cleanup's summary, at notice

        inst.kill9()
        leftovers = set(kernel_sets())
        self.assertTrue(leftovers)
        marker = inst.log_size()
        terminal = self.start_and_capture(inst)
        self.assertEqual(tags(terminal), [], terminal)
        self.assertFalse(leftovers & set(kernel_sets()), "the killed run's sets were removed")
        log = inst.error_log()[marker:]
        # Each routine line once, in the ErrorLog: the summary, the dead owner, each removal.
        self.assertEqual(log.count("SG00017"), 1, log)
        self.assertEqual(log.count("SG00025"), 1, log)
        self.assertEqual(log.count("SG00015"), len(leftovers), log)
        self.assertRegex(log, r"\[semguard:notice\].*SG00017")
        if loglevel == "info":
            self.assertRegex(log, r"\[semguard:info\].*SG00009")
        return inst

    def test_stock_loglevel_warn_prints_nothing(self):
        self.check_quiet("warn")

    def test_loglevel_info_prints_nothing(self):
        self.check_quiet("info")

    def test_a_problem_reaches_the_terminal_and_the_error_log_once(self):
        # Leftovers of a killed server without the module, in a table with room: SemGuardAdopt
        # Auto reports them (SG00018, warn) and removes nothing.
        e = self.instance("e", semguard=False)
        e.start()
        e.kill9()
        leaked = set(kernel_sets())
        self.accept("SG00018")
        d = self.instance("d", loglevel="warn")
        terminal = self.start_and_capture(d)
        self.assertTrue(leaked <= set(kernel_sets()))
        self.assertEqual(tags(terminal), ["SG00018"] * len(leaked), terminal)
        log = d.error_log()
        self.assertEqual(log.count("SG00018"), len(leaked), log)
        self.assertRegex(log, r"\[semguard:warn\].*SG00018")
        for semid in leaked:
            self.assertEqual(terminal.count(f"semaphore set {semid} looks like"), 1)
            self.assertEqual(log.count(f"semaphore set {semid} looks like"), 1)

    def test_a_nearly_full_table_reaches_the_terminal(self):
        # Another program's sets leave room for one set only: the start cannot fit its two.
        from support import set_semmni
        hold = self.hold("-n", "5")
        set_semmni(len(kernel_sets()) + 1)
        self.accept("SG00021", "AH00023", "AH00016", "AH00015")
        d = self.instance("d", loglevel="warn")
        r = d.start(expect_ok=False)
        terminal = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(tags(terminal).count("SG00021"), 1, terminal)
        self.assertIn("SG00021: the kernel's semaphore table is nearly full", terminal)
        self.assertTrue(set(hold.semids) <= set(kernel_sets()))
