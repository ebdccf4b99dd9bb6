"""The worst day (issue 10, item 4): a server without the module, killed with kill -9 again and
again, has filled the kernel's semaphore table, and httpd will not start (AH00023). The module,
loaded with its default settings (SemGuardAdopt Auto), must end the outage at the next start,
under exactly SemGuardAdopt Remove's rules; and while an httpd without the module still runs,
it must remove nothing and say in one line what the operator can do."""
import re

from support import ServerTest, kernel_sets, read_ledger, set_semmni

# A small table fills in a few kill -9 cycles (each module-less run leaks its 2 sets).
SEMMNI = 8


class WorstDayTest(ServerTest):

    def fill_table_without_module(self, leaker):
        """Starts `leaker` (no module) and kills it with kill -9 until a start fails; returns that
        start's terminal output and the sets the killed runs left."""
        leaker.start()
        for _ in range(SEMMNI):
            leaker.kill9()
            r = leaker.start(expect_ok=False)
            if r.returncode != 0:
                return r.stdout + r.stderr, set(kernel_sets())
            leaker.wait_ready()
        self.fail(f"{SEMMNI} starts without the module never failed")

    def assert_fails_with_ah00023(self, out):
        # The outage is real, and it happens without the module: the table is full.
        self.assertRegex(out, r"No space left on device.*AH00023|AH00023.*No space left on device")

    def test_default_settings_end_the_outage(self):
        set_semmni(SEMMNI)
        self.accept("AH00023", "AH00016", "AH00015", "SG00060")
        e = self.instance("e", semguard=False)
        out, leaked = self.fill_table_without_module(e)
        self.assert_fails_with_ah00023(out)
        self.assertGreaterEqual(len(leaked), SEMMNI - 1, "the killed runs filled the table")
        self.assertNotIn("SG0", out)

        d = self.instance("d")  # the module, default settings: no SemGuardAdopt line
        r = d.start()
        self.assertEqual(r.returncode, 0)
        self.assertEqual(d.get("/")[0], 200)
        log = d.error_log()
        # Exactly Remove's set: every leftover the killed runs made, each with its own line.
        table = set(kernel_sets())
        self.assertFalse(leaked & table, "a leftover survived")
        self.assertEqual(log.count("SG00019"), len(leaked))
        summary = re.findall(r"SG00060: .*", log)
        self.assertEqual(len(summary), 1, log)
        self.assertIn(f"SemGuardAdopt Auto removed {len(leaked)} of {len(leaked)} httpd-shaped",
                      summary[0])
        self.assertRegex(log, rf"SG00017: .* {len(leaked)} adopted and removed")
        self.assertNotIn("SG00021", log)
        self.assertNotIn("SG00018", log)
        # What it did is a problem worth knowing at the terminal too (warn), once there.
        self.assertEqual((r.stdout + r.stderr).count("SG00060"), 1)
        # d's own sets fitted and are recorded, with their identities.
        recorded = set(read_ledger(d.ledger_path())["sets"])
        self.assertTrue(recorded)
        self.assertLedgerMatches(d, recorded)

    def test_a_live_server_without_the_module_blocks_it_with_one_line(self):
        set_semmni(SEMMNI)
        self.accept("AH00023", "AH00016", "AH00015", "SG00061", "SG00021")
        c = self.instance("c", semguard=False)
        c.start()  # lives on: its sets cannot be told from leftovers
        e = self.instance("e", semguard=False)
        out, before = self.fill_table_without_module(e)
        self.assert_fails_with_ah00023(out)

        d = self.instance("d")
        r = d.start(expect_ok=False)
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, "the table is still full")
        self.assertEqual(set(kernel_sets()), before, "nothing was removed")
        said = re.findall(r"SG00061: .*", out + d.error_log())
        self.assertEqual(len(said), 1, out)
        self.assertIn("live httpd process(es) without mod_semguard", said[0])
        self.assertIn("Load mod_semguard in that server too, or stop it", said[0])
        self.assertNotIn("SG00018", out + d.error_log())
        self.assertNotIn("SG00019", out + d.error_log())
        self.assertEqual(c.get("/")[0], 200)

