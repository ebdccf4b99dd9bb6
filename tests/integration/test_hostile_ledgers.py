"""Issue 12, item 2: broken and hostile ledgers, through a real server.

Each case plants something at the ledger's path of an instance that was killed with its two
sets still in the table, then starts it: the start succeeds (in seconds, also for a FIFO), a
line names the problem, the refused file is kept as `<ledger>.bad` (not lost), nothing is
removed on the word of a refused ledger, and the live neighbour server and the foreign program
keep every set (faults.FaultTest). Every byte boundary of a real ledger is tried through the
module's own reader and parser, in `semguardctl list` (one process per truncation, no server)."""
import json
import os
import random
import stat
import subprocess
import time

from faults import FaultTest, apache, sg_lines
from support import BUILD, kernel_sets, read_ledger, rewrite_ledger, replace_field

SEMGUARDCTL = os.path.join(BUILD, "semguardctl")


def tls_ok(inst):
    try:
        return inst.get("/", tls=True)[0] == 200
    except OSError:
        return False


def dead_pid():
    """A pid that named a process a moment ago and names none now."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


class HostileLedgerTest(FaultTest):
    def setUp(self):
        super().setUp()
        # The refusal itself, and the killed run's sets it leaves reported, not removed.
        self.accept("SG00003", "SG00018")

    def killed_victim(self):
        """An instance killed with its sets in the table: a start that trusted a bad ledger
        could remove them."""
        inst = self.instance("victim")
        inst.start()
        ledger = inst.ledger_path()
        leftovers = set(read_ledger(ledger)["sets"])
        self.assertEqual(len(leftovers), 2)
        inst.kill9()
        with open(ledger, "rb") as f:
            return inst, ledger, leftovers, f.read()

    def plant(self, ledger, data):
        os.unlink(ledger)
        with open(ledger, "wb") as f:
            f.write(data)
        os.chmod(ledger, 0o600)

    def refused_start(self, inst, ledger, leftovers, reason):
        """The start succeeds in seconds, SG00003 names the problem, the killed run's sets
        stay (no proof for them), and the next ledger is this run's."""
        t0 = time.monotonic()
        inst.start()
        took = time.monotonic() - t0
        self.assertLess(took, 10, f"the start took {took:.1f} s")
        refusals = [l for l in inst.error_log().splitlines() if "SG00003" in l]
        self.assertEqual(len(refusals), 1, sg_lines(inst))
        self.assertRegex(refusals[0], reason)
        self.assertIn(ledger, refusals[0])
        self.assertTrue(leftovers <= set(kernel_sets()), "removed on a refused ledger's word")
        self.assertBystandersWhole("the start on a refused ledger")
        self.assertLedgerMatches(inst, set(kernel_sets()) - self.bystanders - leftovers)
        return refusals[0]

    def assertKeptAsBad(self, ledger, data):
        with open(ledger + ".bad", "rb") as f:
            self.assertEqual(f.read(), data, "the refused file was not kept as it was")

    # ---- text that is not a valid ledger -----------------------------------------------------
    def test_truncated_at_every_byte_is_refused_by_the_modules_reader(self):
        inst, ledger, leftovers, sample = self.killed_victim()
        folder = os.path.join(self.tmp, "cuts")
        os.mkdir(folder, 0o700)
        cut = os.path.join(folder, "cut.ledger")

        def state(data):
            with open(cut, "wb") as f:
                f.write(data)
            os.chmod(cut, 0o600)
            r = subprocess.run([SEMGUARDCTL, "list", "--json", "--ledger", cut],
                               capture_output=True, text=True, timeout=30)
            found = [l for l in json.loads(r.stdout)["ledgers"] if l["path"] == cut]
            self.assertEqual(len(found), 1, r.stdout)
            return found[0]

        self.assertEqual(state(sample)["state"], "dead", "the whole sample reads")
        accepted = [n for n in range(len(sample)) if state(sample[:n])["state"] != "unreadable"]
        self.assertEqual(accepted, [], f"{len(accepted)} of {len(sample)} truncations read")
        self.assertTrue(leftovers <= set(kernel_sets()))

    def test_truncated_samples_through_the_server(self):
        """A handful of the cuts above, through a real start each: mid set line, before the
        end line, the end line without its newline."""
        for name, cut in (("mid set line", lambda d: d[:d.index(b"\nset ") + 20]),
                          ("before the end line", lambda d: d[:d.rindex(b"end ")]),
                          ("no final newline", lambda d: d[:-1])):
            with self.subTest(cut=name):
                inst, ledger, leftovers, sample = self.killed_victim()
                self.plant(ledger, cut(sample))
                self.refused_start(inst, ledger, leftovers, r"truncated|checksum|end line|lines")
                self.assertKeptAsBad(ledger, cut(sample))
                self.reset(inst)

    def reset(self, inst):
        inst.kill9()
        for semid in set(kernel_sets()) - self.bystanders:
            subprocess.run(["ipcrm", "-s", str(semid)], check=True)
        for name in os.listdir(os.path.join(inst.root, "run")):
            if "ledger" in name:
                os.unlink(os.path.join(inst.root, "run", name))
        self.instances.remove(inst)
        os.rename(inst.root, inst.root + f".{time.monotonic_ns()}")

    def test_empty(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        self.plant(ledger, b"")
        self.refused_start(inst, ledger, leftovers, r"empty|truncated")
        self.assertKeptAsBad(ledger, b"")

    def test_oversized(self):
        inst, ledger, leftovers, sample = self.killed_victim()
        big = sample + b"#" * (1048577 - len(sample))
        self.plant(ledger, big)
        self.refused_start(inst, ledger, leftovers, r"oversized \(1048577 bytes, limit 1048576\)")
        self.assertKeptAsBad(ledger, big)

    def test_wrong_checksum(self):
        inst, ledger, leftovers, sample = self.killed_victim()
        lines = sample.decode().splitlines(keepends=True)
        lines[3] = lines[3].replace("nsems=1", "nsems=2")  # an edited set, the old seal
        edited = "".join(lines).encode()
        self.plant(ledger, edited)
        self.refused_start(inst, ledger, leftovers, r"checksum")
        self.assertKeptAsBad(ledger, edited)

    def test_wrong_version(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        rewrite_ledger(ledger, lambda lines: ["semguard-ledger 3"] + lines[1:])
        with open(ledger, "rb") as f:
            planted = f.read()
        self.refused_start(inst, ledger, leftovers, r"unsupported ledger version")
        self.assertKeptAsBad(ledger, planted)

    def test_random_bytes(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        noise = random.Random(12).randbytes(4096)
        self.plant(ledger, noise)
        self.refused_start(inst, ledger, leftovers, r"not a semguard ledger|truncated")
        self.assertKeptAsBad(ledger, noise)

    # ---- things that are not a regular file --------------------------------------------------
    def test_a_fifo_does_not_block_the_start(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        os.unlink(ledger)
        os.mkfifo(ledger, 0o600)
        self.refused_start(inst, ledger, leftovers, r"not a regular file")
        self.assertTrue(stat.S_ISFIFO(os.lstat(ledger + ".bad").st_mode), "the FIFO was lost")

    def test_a_device_node(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        os.unlink(ledger)
        os.mknod(ledger, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
        self.refused_start(inst, ledger, leftovers, r"not a regular file")
        self.assertTrue(stat.S_ISCHR(os.lstat(ledger + ".bad").st_mode), "the node was lost")

    def test_a_hard_link_to_another_file_is_refused_and_the_file_untouched(self):
        inst, ledger, leftovers, _ = self.killed_victim()
        other = os.path.join(self.tmp, "precious")
        with open(other, "wb") as f:
            f.write(b"root's precious file\n")
        os.chmod(other, 0o600)
        os.unlink(ledger)
        os.link(other, ledger)
        self.refused_start(inst, ledger, leftovers, r"not a semguard ledger")
        inst.generation_after("graceful")  # more ledger writes: none may go through the link
        with open(other, "rb") as f:
            self.assertEqual(f.read(), b"root's precious file\n")
        self.assertEqual(os.stat(other).st_ino, os.stat(ledger + ".bad").st_ino)

    def test_a_hard_linked_valid_ledger_is_read_and_its_other_name_never_written(self):
        inst, ledger, leftovers, sample = self.killed_victim()
        other = os.path.join(self.tmp, "second-name.ledger")
        os.link(ledger, other)
        inst.start()
        self.assertNotIn("SG00003", inst.error_log())
        self.assertFalse(leftovers & set(kernel_sets()), "a valid ledger's leftovers stay")
        self.assertBystandersWhole("a start on a hard-linked ledger")
        with open(other, "rb") as f:
            self.assertEqual(f.read(), sample, "a ledger write went through the other name")

    # ---- valid ledgers that lie ----------------------------------------------------------------
    def test_a_ledger_naming_the_sets_of_another_live_server(self):
        """The killed instance's ledger, resealed, names the live neighbour's sets (identities
        copied exactly) as its own: the owner is dead, yet none of them may go, since the live
        neighbour's ledger names them too."""
        # Before the fix (main at 1abe0a0): the start logged "SG00015: removed semaphore set N
        # (ssl) left by the previous run" for the neighbour's idle ssl set; the accept set was
        # kept only because it was in use (SG00016, value 0). Each TLS handshake of the
        # neighbour then logged AH02026 "(22)Invalid argument: Failed to acquire SSL session
        # cache lock".
        inst, ledger, leftovers, _ = self.killed_victim()
        theirs = [l for l in open(self.neighbour.ledger_path()).read().splitlines()
                  if l.startswith("set ")]
        self.assertEqual(len(theirs), 2)
        rewrite_ledger(ledger, lambda lines: lines[:3] + theirs)
        self.accept("SG00016")
        inst.start()
        self.assertBystandersWhole("a ledger naming another live server's sets")
        self.assertEqual([tls_ok(self.neighbour) for _ in range(3)], [True] * 3)
        self.assertNotIn("AH02026", self.neighbour.error_log())
        self.assertTrue(leftovers <= set(kernel_sets()), "the killed run's sets, now in no "
                        "ledger, are reported, not removed")

    def test_a_forged_dead_owner_of_our_own_live_sets(self):
        """The running server's ledger rewritten (resealed) to name a dead owner: neither a
        second start of the same config nor a graceful restart may remove its live sets."""
        inst = self.instance("victim")
        inst.start()
        ledger = inst.ledger_path()
        recorded = read_ledger(ledger)["sets"]
        live = set(recorded)
        ssl = {s for s, r in recorded.items() if r["type"] == "ssl"}  # lives across restarts
        rewrite_ledger(ledger, lambda lines: [lines[0], replace_field(lines[1], "pid", dead_pid())]
                       + lines[2:])
        self.accept("SG00001", "SG00004", "AH00072", "AH00451", "AH00015")
        other_pid = os.path.join(inst.root, "run", "second.pid")
        second = apache(inst, "-c", f"PidFile {other_pid}", "-k", "start")
        self.assertNotEqual(second.returncode, 0, "the second start cannot bind the ports")
        self.assertTrue(live <= set(kernel_sets()),
                        "a second start removed the live server's sets:\n"
                        + sg_lines(inst, second.stderr))
        self.assertRegex(inst.error_log() + second.stderr, r"SG00001")
        inst.generation_after("graceful")  # httpd itself replaces the accept mutex
        self.assertTrue(ssl <= set(kernel_sets()), "a restart removed it:\n" + sg_lines(inst))
        self.assertEqual([tls_ok(inst) for _ in range(3)], [True] * 3)
        self.assertNotIn("AH02026", inst.error_log())
        self.assertBystandersWhole("a forged dead owner")
        inst.stop()
        self.assertEqual(set(kernel_sets()) - self.bystanders, set(), "left after a clean stop")
