"""Issue 12, item 1: kill -9 at every phase of a start and a restart, then start again.

Each case names its point. The module tests/modules/mod_semguard_killat.c stops a pass at a
hook (SEMGUARD_KILLAT="POINT PASS"); strace's fault injection stops it inside the ledger write
(on entry to its fsync, rename or ftruncate) and inside the startup cleanup (on entry to an
IPC_RMID). After the kill: the parent alone (orphaned children live on), or every process. Then
every start succeeds, a clean stop leaves nothing of the instance, and the live neighbour
server's and the foreign program's sets are never touched (faults.FaultTest)."""
import os
import signal
import socket

from faults import (WWW, FaultTest, apache, attach_strace, sg_lines, strace_inject,
                    trace_syscalls, wait_for)
from support import SERVER, TEST_MODULE, kernel_sets, pid_alive, read_ledger

KILLAT = os.path.join(SERVER.build, "mod_semguard_killat.so")
SLOW_PAGE = (f"LoadModule semguard_testhooks_module {TEST_MODULE}\nGracefulShutdownTimeout 30\n"
             "<Location /sleep>\n  SetHandler semguard-test-sleep\n</Location>\n")
# Modules that make their own mutexes in post_config, before the late point; loaded when this
# server has them.
MUTEX_MAKERS = ("authn_core", "auth_digest", "rewrite")

# (point, pass): the hook points of mod_semguard_killat.c, in each pass they apply to.
HOOK_POINTS = [(point, pass_) for pass_ in ("first", "daemon", "restart")
               for point in ("pre_config", "after_accept", "after_ssl", "post_config_late")]
# New sets a first pass has made when it dies there (prefork, two Listen lines, mod_ssl's
# shmcb cache): the accept mutex, then mod_ssl's.
FIRST_PASS_SETS = {"pre_config": 0, "after_accept": 1, "after_ssl": 2}


def module_lines(extra="", makers=False):
    """The kill module, and for the late point the modules whose mutexes come before it."""
    if not makers:
        return f"LoadModule semguard_killat_module {KILLAT}\n" + extra
    made = "".join(f"LoadModule {m}_module {SERVER.modules}/mod_{m}.so\n" for m in MUTEX_MAKERS
                   if os.path.exists(f"{SERVER.modules}/mod_{m}.so"))
    if "rewrite" in made:
        made += "RewriteEngine On\nRewriteMap upper prg:/bin/cat\n"
    return f"LoadModule semguard_killat_module {KILLAT}\n" + made + extra


class KillPhasesTest(FaultTest):
    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.exists(KILLAT), f"{KILLAT} is missing (make test builds it)")
        self.accept("SG00001", "SG00018", "SG00032", "AH00072", "AH00451", "AH00015")

    def victim(self, semguard=True, extra="", makers=False):
        return self.instance("victim", semguard=semguard, extra=module_lines(extra, makers))

    def busy_victim(self, makers=False):
        """A victim with a slow page (tests/modules/mod_semguard_testhooks.c)."""
        return self.victim(extra=SLOW_PAGE, makers=makers)

    def busy_child(self, inst, seconds=3):
        """Keeps one child busy for `seconds`: at a graceful restart or stop it lives on until
        its request ends, and, once the parent is killed, as an orphan."""
        busy = socket.create_connection(("127.0.0.1", inst.port), timeout=10)
        self.addCleanup(busy.close)
        busy.sendall(f"GET /sleep?{seconds} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        self.assertIn(b"sleeping", busy.recv(4096))
        return busy

    # ---- the kill --------------------------------------------------------------------------
    def kill_at_hook(self, inst, point, pass_, busy=False):
        """Starts with SEMGUARD_KILLAT; for a restart, with one child `busy` if asked."""
        env = {"SEMGUARD_KILLAT": f"{point} {pass_}"}
        inst.killed = True
        if pass_ == "restart":
            r = apache(inst, "-k", "start", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            inst.wait_ready()
            parent = inst.parent_pid()
            if busy:
                self.busy_child(inst)
            apache(inst, "-k", "graceful")
            self.wait_dead(parent, f"the parent to die at {point} of a restart")
            return parent
        r = apache(inst, "-k", "start", env=env)
        if pass_ == "first":
            self.assertEqual(r.returncode, -signal.SIGKILL, f"pass 1 did not die at {point}: "
                             + r.stdout + r.stderr)
            return None
        self.assertEqual(r.returncode, 0, r.stderr)  # pass 1 forked the daemon and left
        wait_for(lambda: not inst.processes(), what=f"the daemon to die at {point}")
        self.assertNotIn("resuming normal operations", inst.error_log())
        return None

    def after_kill(self, inst, who, step):
        """`parent`: orphaned children may live on; a start meanwhile must not remove what they
        use. Then (and for `all` at once) every process goes, as after an OOM kill."""
        orphans = inst.processes()
        if who == "parent" and orphans:
            before = set(kernel_sets())
            r = apache(inst, "-k", "start")
            table = set(kernel_sets())
            self.assertTrue(before <= table, f"{step}: a start while orphans {orphans} live "
                            f"removed {sorted(before - table)}:\n" + sg_lines(inst, r.stderr))
            self.assertBystandersWhole(f"{step}: the start beside the orphans")
            # Left alone, a busy orphan ends its request and exits, as the graceful told it.
            wait_for(lambda: not any(pid_alive(p) for p in orphans),
                     what=f"{step}: the orphans to finish")
            if r.returncode == 0 and inst.processes():
                inst.wait_ready()
                inst.stop()  # it served unguarded (SG00001); its own sets go with it
        inst.kill9()
        self.assertBystandersWhole(f"{step}: the kill")

    def hook_case(self, point, pass_, who):
        step = f"kill -9 ({who}) at {point} of the {pass_} pass"
        # A restart's parent-only kill leaves an orphan only when a child was busy: idle ones
        # exit at the graceful's signal, before the new pass begins.
        busy = pass_ == "restart" and who == "parent"
        inst = self.victim(extra=SLOW_PAGE if busy else "", makers=point == "post_config_late")
        self.kill_at_hook(inst, point, pass_, busy)
        if busy:  # idle children of the old generation may take a moment to exit
            wait_for(lambda: len(inst.processes()) == 1, what=f"{step}: the busy child alone")
        if pass_ == "first":
            made = len(set(kernel_sets()) - self.bystanders)
            if point in FIRST_PASS_SETS:
                self.assertEqual(made, FIRST_PASS_SETS[point], f"{step}: not the point named")
            else:
                self.assertGreater(made, 2, f"{step}: the other modules' mutexes are made")
        self.after_kill(inst, who, step)
        self.assertCleanCycle(inst, step)
        if point == "post_config_late":
            # The makers' sets went at the next start: recorded right after their module (a
            # checkpoint follows each known maker, SG00015), or found as the dead run's sets
            # made after its last ledger write (SG00030) for a maker without one.
            log = inst.error_log()
            self.assertTrue("SG00015" in log or "SG00030" in log, f"{step}:\n" + sg_lines(inst))

    # ---- without the module, the same kills leak -------------------------------------------
    def test_without_the_module_a_kill_after_ssl_in_the_first_pass_leaks(self):
        inst = self.victim(semguard=False)
        self.kill_at_hook(inst, "after_ssl", "first")
        leaked = set(kernel_sets()) - self.bystanders
        self.assertEqual(len(leaked), 2)
        inst.start()
        inst.stop()
        self.assertTrue(leaked <= set(kernel_sets()), "without the module the sets stay")

    def test_without_the_module_a_kill_late_in_a_restart_leaks(self):
        inst = self.victim(semguard=False, makers=True)
        self.kill_at_hook(inst, "post_config_late", "restart")
        inst.kill9()
        leaked = set(kernel_sets()) - self.bystanders
        self.assertTrue(leaked)
        inst.start()
        inst.stop()
        self.assertTrue(leaked <= set(kernel_sets()), "without the module the sets stay")

    # ---- inside the ledger write (strace) ---------------------------------------------------
    def leftovers_of_a_killed_run(self, inst):
        inst.start()
        made = set(read_ledger(inst.ledger_path())["sets"])
        inst.kill9()
        return made

    def ledger_write_first_pass(self, syscall, when, write, renamed):
        """A previous run's leftovers, then a start killed inside pass 1's ledger write number
        `write`: each write is create, write, fsync, rename, an fsync of the folder when it
        names a set the last write did not, then the spare copy in the lock file (ftruncate,
        write). Write 1 follows the cleanup and records no set (no folder fsync); write 2
        records the accept mutex."""
        step = f"kill -9 on entry to {syscall} #{when} (ledger write {write} of pass 1)"
        inst = self.victim()
        leftovers = self.leftovers_of_a_killed_run(inst)
        r = apache(inst, "-k", "start", prefix=strace_inject(syscall, when))
        self.assertEqual(r.returncode, -signal.SIGKILL, f"{step}: not killed: {r.stderr}")
        self.assertFalse(leftovers & set(kernel_sets()), f"{step}: the cleanup did not run")
        made = set(kernel_sets()) - self.bystanders
        self.assertEqual(len(made), write - 1, f"{step}: the accept mutex exists from write 2")
        run = os.path.join(inst.root, "run")
        torn = [n for n in os.listdir(run) if ".tmp." in n]
        recorded = set(read_ledger(inst.ledger_path())["sets"])
        self.assertEqual(len(torn), 0 if renamed else 1, f"{step}: the temporary file")
        if renamed:
            self.assertEqual(recorded, made, f"{step}: the new ledger is in place")
        elif write == 1:
            self.assertEqual(recorded, leftovers, f"{step}: the previous run's ledger stays")
        else:
            self.assertEqual(recorded, set(), f"{step}: write 1's ledger stays")
        self.assertBystandersWhole(step)
        self.after_kill(inst, "all", step)
        self.assertCleanCycle(inst, step)

    def test_a_torn_ledger_write_leaves_no_temporary_file_for_good(self):
        """A kill between the create and the rename of `<ledger>.tmp.<random>` leaves that
        file; the next process that takes the instance lock removes it (SG00046)."""
        # Before the fix (main at 1abe0a0): no later start or write removed it, so every such
        # crash added one file to the runtime folder ("3 temporary ledger files left").
        inst = self.victim()
        for _ in range(3):
            r = apache(inst, "-k", "start", prefix=strace_inject("rename", 1))
            self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        inst.killed = True
        self.assertCleanCycle(inst, "three torn writes")
        run = os.path.join(inst.root, "run")
        torn = sorted(n for n in os.listdir(run) if ".tmp." in n)
        self.assertEqual(torn, [], f"{len(torn)} temporary ledger files left for good")

    def test_ledger_write_1_first_pass_before_rename(self):
        self.ledger_write_first_pass("rename", 1, write=1, renamed=False)

    def test_ledger_write_2_first_pass_before_fsync(self):
        self.ledger_write_first_pass("fsync", 2, write=2, renamed=False)

    def test_ledger_write_2_first_pass_before_rename(self):
        self.ledger_write_first_pass("rename", 2, write=2, renamed=False)

    def test_ledger_write_2_first_pass_after_rename_before_folder_fsync(self):
        self.ledger_write_first_pass("fsync", 3, write=2, renamed=True)

    def test_ledger_write_2_first_pass_spare_copy_truncated(self):
        self.ledger_write_first_pass("ftruncate", 2, write=2, renamed=True)

    def ledger_write_restart(self, syscall, when, who):
        step = f"kill -9 ({who}) on entry to {syscall} #{when} of a graceful restart's ledger write"
        inst = self.victim(extra=SLOW_PAGE)
        inst.start()
        parent = inst.parent_pid()
        if who == "parent":
            self.busy_child(inst)
        tracer = attach_strace(parent, syscall, when)
        inst.killed = True
        apache(inst, "-k", "graceful")
        self.wait_dead(parent, f"{step}: the parent to die")
        tracer.wait(timeout=15)
        if who == "parent":
            wait_for(lambda: len(inst.processes()) == 1, what=f"{step}: the busy child alone")
        self.after_kill(inst, who, step)
        self.assertCleanCycle(inst, step)

    def test_ledger_write_restart_before_fsync_parent(self):
        self.ledger_write_restart("fsync", 1, "parent")

    def test_ledger_write_restart_before_rename_all(self):
        self.ledger_write_restart("rename", 1, "all")

    # ---- inside the startup cleanup (strace) -----------------------------------------------
    def test_startup_cleanup_killed_between_two_removals(self):
        """A start killed on entry to its second IPC_RMID: one of the killed run's two sets is
        gone, the other still there; the next start finishes the work."""
        # The kernel hands out semids cyclically, so each scene's sets sit higher; a foreign
        # set at a fixed high semid makes every scan of the table as long in both runs.
        with open("/proc/sys/kernel/sem_next_id", "w") as f:
            f.write("1000")
        self.bystanders |= set(self.hold("-u", WWW, "-g", WWW).semids)
        inst = self.victim()
        leftovers = self.leftovers_of_a_killed_run(inst)
        self.assertEqual(len(leftovers), 2)
        # Where pass 1's second IPC_RMID falls among its semctl calls, from a traced start of
        # the same scene; that start cleans up, so the scene is set again after it.
        r, calls = trace_syscalls(inst, "semctl", "-k", "start")
        self.assertEqual(r.returncode, 0, r.stderr)
        removals = [i + 1 for i, c in enumerate(calls) if "IPC_RMID" in c]
        self.assertGreaterEqual(len(removals), 2, "\n".join(calls[-20:]))
        inst.wait_ready()
        inst.stop()
        leftovers = self.leftovers_of_a_killed_run(inst)
        r = apache(inst, "-k", "start", prefix=strace_inject("semctl", removals[1]))
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        survivors = leftovers & set(kernel_sets())
        self.assertEqual(len(survivors), 1, f"killed between the two removals ({removals})")
        self.assertBystandersWhole("kill -9 inside the startup cleanup")
        inst.start()
        self.assertFalse(survivors & set(kernel_sets()), "the next start removed the other one")
        self.assertCleanCycle(inst, "kill -9 inside the startup cleanup", start=False)

    # ---- during a graceful-stop --------------------------------------------------------------
    def graceful_stop(self, who):
        step = f"kill -9 ({who}) during a graceful-stop with a busy child"
        inst = self.busy_victim()
        inst.start()
        parent = inst.parent_pid()
        self.busy_child(inst)
        apache(inst, "-k", "graceful-stop")
        wait_for(lambda: not inst.answers(), what="the listeners to close")
        self.assertTrue(pid_alive(parent), "the parent waits for the busy child")
        os.kill(parent, signal.SIGKILL)
        inst.killed = True
        self.wait_dead(parent, "the parent")
        if who == "parent":
            wait_for(lambda: len(inst.processes()) == 1, what="the busy child alone")
            child = inst.processes()
            made = set(kernel_sets())
            inst.start()  # serves, unguarded (SG00001): the busy child holds the lock and sets
            self.assertTrue(made <= set(kernel_sets()), f"{step}: a set of the busy child went")
            wait_for(lambda: not pid_alive(child[0]), what="the busy child to finish")
            inst.stop()  # the killed run's sets stay: they were in use at this run's start
        self.after_kill(inst, who, step)
        self.assertCleanCycle(inst, step)

    def test_graceful_stop_parent_killed_busy_child_lives(self):
        self.graceful_stop("parent")

    def test_graceful_stop_everything_killed(self):
        self.graceful_stop("all")


def hook_test(point, pass_, who):
    def test(self):
        self.hook_case(point, pass_, who)
    test.__doc__ = f"kill -9 of the {'parent' if who == 'parent' else 'whole server'} at " \
                   f"{point} of the {pass_} pass"
    return test


for _point, _pass in HOOK_POINTS:
    # Before the daemon has children, parent and all are one process: one case each. A restart
    # has children: both.
    for _who in (("parent", "all") if _pass == "restart" else ("parent",)):
        setattr(KillPhasesTest, f"test_hook_{_pass}_{_point}_{_who}",
                hook_test(_point, _pass, _who))
