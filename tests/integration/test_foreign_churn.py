"""Issue 13: a checkpoint whose counts grew reads a few slots for the sets that appeared instead
of the whole table. Another program making and removing sets of httpd's very shape and creator
throughout a start (so the counts move, and the slots the search reads fill with its sets) must
never get one of them into the ledger, and every set the server made must be there after the
start, each the very set the kernel holds."""
import subprocess
import threading

from support import SemHold, ServerTest, kernel_sets


class ForeignChurnTest(ServerTest):
    def churn(self, made, stop):
        """Makes one httpd-shaped set (IPC_PRIVATE, one semaphore, this euid, its maker gone)
        and removes the one before it, until told to stop."""
        while not stop.is_set():
            semid = SemHold("-n", "1", "-x").semids[0]
            made.append(semid)
            if len(made) > 1:
                subprocess.run(["ipcrm", "-s", str(made[-2])], capture_output=True)

    def test_a_program_making_and_removing_sets_during_the_start_never_gets_one_recorded(self):
        self.hold("-n", "200")  # a table with other sets in it
        inst = self.instance()
        for _ in range(3):
            made, stop = [], threading.Event()
            churner = threading.Thread(target=self.churn, args=(made, stop), daemon=True)
            before = set(kernel_sets())
            churner.start()
            inst.start()
            stop.set()
            churner.join(timeout=30)
            self.assertGreater(len(made), 1, "the churn ran during the start")
            ours = set(kernel_sets()) - before - set(made)
            ledger = self.assertLedgerMatches(inst, ours)
            self.assertEqual(len(ledger["sets"]), 2, "accept + ssl-cache, and nothing else")
            self.assertFalse(set(ledger["sets"]) & set(made), "a foreign set was recorded")
            inst.stop()
            for semid in made:
                subprocess.run(["ipcrm", "-s", str(semid)], capture_output=True)
