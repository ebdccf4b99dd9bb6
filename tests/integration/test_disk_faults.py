"""Issue 12, item 3: the ledger's folder full, read-only, missing, or on another filesystem than
the runtime folder. The module logs, the server starts, and it removes nothing without its
proofs (the lock taken, a ledger read); the live neighbour and the foreign program lose nothing.

The folders are small tmpfs mounts made inside the test's own mount namespace (tests/run-all.sh
runs the suite under `unshare --mount-proc`, whose mounts are private), gone with it."""
import errno
import os
import subprocess

from faults import FaultTest, sg_lines
from support import kernel_sets, read_ledger


class DiskFaultTest(FaultTest):
    def setUp(self):
        super().setUp()
        self.accept("SG00005", "SG00018")

    def mount_tmpfs(self, name, size="256k", options=""):
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=True)
        opts = f"size={size},mode=0755" + (f",{options}" if options else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", path])
        return path

    def remount(self, path, options):
        subprocess.run(["mount", "-o", f"remount,{options}", path], check=True)

    def fill(self, folder):
        """Writes until the filesystem says ENOSPC."""
        fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        finally:
            os.close(fd)
        self.assertEqual(os.statvfs(folder).f_bavail, 0)

    def killed_run(self, ledger):
        """An instance recording into `ledger`, killed with its sets in the table."""
        inst = self.instance("victim", extra=f"SemGuardLedger {ledger}")
        inst.start()
        leftovers = set(read_ledger(ledger)["sets"])
        self.assertEqual(len(leftovers), 2)
        inst.kill9()
        return inst, leftovers

    def sg_said(self, inst, tag, text):
        lines = [l for l in inst.error_log().splitlines() if tag in l and text in l]
        self.assertTrue(lines, f"no {tag} line saying {text!r}:\n" + sg_lines(inst))

    # ---- full --------------------------------------------------------------------------------
    def full_start(self):
        folder = self.mount_tmpfs("full")
        ledger = os.path.join(folder, "app.ledger")
        inst, leftovers = self.killed_run(ledger)
        self.fill(folder)
        inst.start()
        self.sg_said(inst, "SG00005", "No space left on device")
        self.assertFalse(leftovers & set(kernel_sets()), "the proven leftovers went")
        self.assertBystandersWhole("a full ledger folder")
        self.assertEqual(inst.get("/")[0], 200)
        return inst, folder, ledger

    def test_ledger_folder_full(self):
        """The ledger reads and the lock is taken, so the previous run's sets go (with proof);
        no new ledger can be written (SG00005, ENOSPC); the server serves, and its clean stop
        leaves nothing."""
        inst, _, _ = self.full_start()
        self.assertCleanCycle(inst, "a full ledger folder", start=False)

    def test_after_a_full_ledger_folder_a_restart_records_every_set_again(self):
        """Once the disk has room again, the next graceful restart records every set of the
        passes that could not write (kept in httpd's retained memory meanwhile), so a kill -9
        then leaks nothing."""
        # Before the fix (main at 1abe0a0): the restart's ledger named only the new accept
        # mutex, not mod_ssl's set made in the first pass ("the ledger forgot [<ssl semid>]"),
        # and a kill -9 then leaked it for good; SG00009 said "2 semaphore set(s) recorded in
        # <ledger>" right after five SG00005 lines, when nothing was written there.
        inst, folder, ledger = self.full_start()
        os.unlink(os.path.join(folder, "filler"))
        inst.generation_after("graceful")
        table = set(kernel_sets()) - self.bystanders
        recorded = set(read_ledger(ledger)["sets"])
        self.assertEqual(recorded, table, f"the ledger forgot {sorted(table - recorded)} after "
                         "the disk had room again:\n" + sg_lines(inst))
        inst.kill9()
        inst.start()
        self.assertFalse(table & set(kernel_sets()), "a kill -9 and a start removed them all")
        self.assertCleanCycle(inst, "a full ledger folder", start=False)

    # ---- read-only ---------------------------------------------------------------------------
    def test_ledger_folder_read_only_with_its_lock_file(self):
        """The lock file exists, so the lock is taken on the read-only mount and the ledger
        reads: the proven leftovers go; nothing can be written (SG00005, EROFS)."""
        folder = self.mount_tmpfs("ro")
        ledger = os.path.join(folder, "app.ledger")
        inst, leftovers = self.killed_run(ledger)
        self.remount(folder, "ro")
        inst.start()
        self.sg_said(inst, "SG00005", "Read-only file system")
        self.assertFalse(leftovers & set(kernel_sets()), "the proven leftovers went")
        self.assertBystandersWhole("a read-only ledger folder")
        self.assertCleanCycle(inst, "a read-only ledger folder", start=False)

    def test_ledger_folder_read_only_without_a_lock_file(self):
        """No lock file and no way to make one: no proof that the previous run is gone, so
        nothing is removed, the start says why, and the server serves unguarded."""
        folder = self.mount_tmpfs("ro-nolock")
        ledger = os.path.join(folder, "app.ledger")
        inst, leftovers = self.killed_run(ledger)
        os.unlink(ledger + ".lock")
        self.remount(folder, "ro")
        self.accept("SG00001", "SG00032")
        inst.start()
        self.sg_said(inst, "SG00001", "Read-only file system")
        self.assertTrue(leftovers <= set(kernel_sets()), "removed without the lock's proof")
        self.assertBystandersWhole("a read-only folder without a lock file")
        self.assertEqual(inst.get("/")[0], 200)

    # ---- missing -----------------------------------------------------------------------------
    def test_ledger_folder_missing(self):
        """The ledger's folder is gone (a tmpfs that was not mounted again): no ledger, no
        lock, nothing removed; the server serves and says so."""
        folder = os.path.join(self.tmp, "gone")
        os.mkdir(folder, 0o755)
        ledger = os.path.join(folder, "app.ledger")
        inst, leftovers = self.killed_run(ledger)
        subprocess.run(["rm", "-rf", folder], check=True)
        self.accept("SG00001", "SG00032")
        inst.start()
        said = [l for l in inst.error_log().splitlines() if "SG000" in l and folder in l
                and ("No such file" in l or "does not exist" in l)]
        self.assertTrue(said, "no line names the missing folder:\n" + sg_lines(inst))
        self.assertTrue(leftovers <= set(kernel_sets()), "removed without a ledger's proof")
        self.assertBystandersWhole("a missing ledger folder")
        self.assertEqual(inst.get("/")[0], 200)

    # ---- another filesystem ------------------------------------------------------------------
    def test_ledger_on_another_filesystem_than_the_runtime_folder(self):
        """The ledger on a tmpfs, the runtime folder (pid file, ssl cache) on the disk: the
        temporary file is made beside the ledger, so its rename never crosses filesystems;
        a kill -9 and a start remove everything."""
        folder = self.mount_tmpfs("other-fs")
        ledger = os.path.join(folder, "app.ledger")
        inst, leftovers = self.killed_run(ledger)
        self.assertNotEqual(os.stat(folder).st_dev, os.stat(os.path.join(inst.root, "run")).st_dev)
        inst.start()
        self.assertFalse(leftovers & set(kernel_sets()))
        self.assertNotIn("SG00005", inst.error_log())
        self.assertCleanCycle(inst, "the ledger on another filesystem", start=False)

    def test_ledger_moved_to_another_filesystem_at_a_restart(self):
        """SemGuardLedger changed at a graceful restart from the runtime folder to a tmpfs: the
        sets follow to the new file (SG00026), so a kill -9 and a start remove them all."""
        folder = self.mount_tmpfs("moved")
        inst = self.instance("victim")
        inst.start()
        old = inst.ledger_path()
        inst.extra = f"SemGuardLedger {folder}/app.ledger"
        inst.write_config()
        inst.generation_after("graceful")
        self.sg_said(inst, "SG00026", folder)
        made = set(kernel_sets()) - self.bystanders
        self.assertEqual(set(read_ledger(f"{folder}/app.ledger")["sets"]), made)
        self.assertFalse(os.path.exists(old), "the old ledger was removed")
        inst.kill9()
        inst.start()
        self.assertFalse(made & set(kernel_sets()), sg_lines(inst))
        self.assertCleanCycle(inst, "the ledger moved across filesystems", start=False)
