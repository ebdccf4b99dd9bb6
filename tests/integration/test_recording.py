"""Issue 2: the ledger records exactly the sets this server creates, at start and every restart,
and nothing else in the module changes the kernel or the ledger."""
import os
import re
import signal
import stat
import subprocess
import time

from support import SERVER, ServerTest, kernel_sets, read_ledger


def ledger_state(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return st.st_ino, st.st_mtime_ns, f.read()


class RecordingTest(ServerTest):
    def test_ledger_equals_the_sets_the_kernel_gained_at_start(self):
        inst = self.instance()
        before = kernel_sets()
        inst.start()
        gained = set(kernel_sets()) - set(before)
        self.assertEqual(len(gained), 2, "prefork with two Listen + mod_ssl shmcb: accept + ssl-cache")
        ledger = self.assertLedgerMatches(inst, gained)
        self.assertEqual(sorted(r["type"] for r in ledger["sets"].values()), ["mpm-accept", "ssl"])
        self.assertEqual(int(ledger["owner"]["pid"]), inst.parent_pid())
        self.assertIn("SG00009", inst.error_log())

    def test_graceful_and_normal_restart_list_the_new_semids_and_none_of_the_old(self):
        inst = self.instance()
        inst.start()
        for action in ("graceful", "restart", "graceful"):
            old = read_ledger(inst.ledger_path())["sets"]
            inst.generation_after(action)
            new = self.assertLedgerMatches(inst, set(kernel_sets()))["sets"]
            old_accept = {s for s, r in old.items() if r["type"] == "mpm-accept"}
            new_accept = {s for s, r in new.items() if r["type"] == "mpm-accept"}
            self.assertEqual(len(new_accept), 1)
            self.assertFalse(old_accept & new_accept, f"{action}: the old accept mutex is still listed")
            # mod_ssl's set lives in the process pool: same semid through every restart.
            self.assertEqual({s for s, r in old.items() if r["type"] == "ssl"},
                             {s for s, r in new.items() if r["type"] == "ssl"})
            self.assertEqual(int(read_ledger(inst.ledger_path())["owner"]["pid"]), inst.parent_pid())

    def test_configtest_dumps_and_signalling_processes_change_nothing(self):
        inst = self.instance()
        inst.start()
        path = inst.ledger_path()
        ledger_before, table_before = ledger_state(path), kernel_sets()
        for args in (["-t"], ["-t", "-D", "DUMP_RUN_CFG"], ["-S"], ["-M"], ["-k", "start"]):
            r = inst.apache(*args)
            self.assertEqual(ledger_state(path), ledger_before, f"{args} touched the ledger")
            self.assertEqual(kernel_sets(), table_before, f"{args} touched the kernel table")
            self.assertNotIn("SG0", r.stdout + r.stderr, f"{args} printed a semguard line")
        self.assertIn("Syntax OK", inst.apache("-t").stderr)
        # -k graceful: the signalling process writes nothing; the server's own restart does.
        parent = inst.parent_pid()
        inst.generation_after("graceful")
        ledger = read_ledger(path)
        self.assertEqual(int(ledger["owner"]["pid"]), parent)
        self.assertLedgerMatches(inst, set(kernel_sets()))

    def test_configtest_without_a_running_server_creates_nothing(self):
        inst = self.instance()
        r = inst.apache("-t")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "Syntax OK")
        self.assertEqual(kernel_sets(), {})
        self.assertEqual([n for n in os.listdir(os.path.join(inst.root, "run")) if "semguard" in n], [])

    def test_clean_stop_leaves_no_set_behind(self):
        inst = self.instance()
        inst.start()
        self.assertEqual(len(kernel_sets()), 2)
        inst.stop()
        self.assertEqual(kernel_sets(), {})

    def test_semguard_off_records_nothing(self):
        inst = self.instance(extra="SemGuard Off")
        inst.start()
        self.assertEqual(len(kernel_sets()), 2, "the server still makes its sets")
        self.assertEqual([n for n in os.listdir(os.path.join(inst.root, "run")) if "semguard" in n], [])
        self.assertNotIn("SG0", inst.error_log())

    def test_ledger_file_is_private_and_locked(self):
        inst = self.instance()
        inst.start()
        st = os.stat(inst.ledger_path())
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o600, 0))
        self.assertTrue(os.path.exists(inst.ledger_path() + ".lock"))
        self.assertFalse(os.path.exists(inst.ledger_path() + ".tmp"))
        # The lock is held for the server's life: flock(1) cannot take it.
        busy = subprocess.run(["flock", "-n", inst.ledger_path() + ".lock", "true"])
        self.assertEqual(busy.returncode, 1)

    def test_ledger_path_directive_and_distinct_default_names(self):
        a = self.instance("a")
        b = self.instance("b", extra="SemGuardLedger run/custom.ledger")
        a.start()
        b.start()
        self.assertRegex(os.path.basename(a.ledger_path()), r"^semguard-[0-9a-f]{16}\.ledger$")
        custom = os.path.join(b.root, "run", "custom.ledger")
        self.assertEqual(len(read_ledger(custom)["sets"]), 2)
        self.assertNotEqual(a.ledger_path(), custom)

    def test_a_corrupt_previous_ledger_is_reported_and_kept(self):
        inst = self.instance()
        inst.start()
        path = inst.ledger_path()
        inst.stop()
        garbage = b"semguard-ledger 1\nowner pid=12 start=1\n\x00\xff not a ledger\n"
        with open(path, "wb") as f:
            f.write(garbage)
        os.chmod(path, 0o600)
        self.accept("SG00003")
        inst.start()
        log = inst.error_log()
        self.assertRegex(log, r"\[semguard:error\].*SG00003: refusing the ledger: .*truncated: fewer than four lines")
        self.assertEqual(log.count("SG00003"), 1, "logged once in the ErrorLog (the terminal got it too)")
        with open(path + ".bad", "rb") as f:
            self.assertEqual(f.read(), garbage)
        self.assertLedgerMatches(inst, set(kernel_sets()))

    def test_a_world_writable_ledger_is_refused_with_its_reason(self):
        inst = self.instance()
        inst.start()
        path = inst.ledger_path()
        inst.stop()
        os.chmod(path, 0o666)
        self.accept("SG00003")
        inst.start()
        self.assertRegex(inst.error_log(), r"SG00003: refusing the ledger: .* is world-writable")

    def test_bad_directive_values_fail_the_configtest_with_a_clear_sentence(self):
        cases = {
            "SemGuard maybe": "SemGuard: 'maybe' is not valid; use On or Off",
            "SemGuardLedger run/": "names a directory",
            "SemGuardLedger run/sets.dat": "must end in .ledger",
            "<VirtualHost 127.0.0.1:1>\nSemGuard On\n</VirtualHost>": "SemGuard cannot occur within <VirtualHost> section",
        }
        for line, message in cases.items():
            inst = self.instance(f"bad{len(self.instances)}", extra=line)
            r = inst.apache("-t")
            self.assertNotEqual(r.returncode, 0, line)
            self.assertIn(message, r.stderr, line)


class SharedLedgerTest(ServerTest):
    def test_a_second_instance_on_the_same_ledger_stays_passive_and_says_why_in_its_errorlog(self):
        shared = f"SemGuardLedger {self.tmp}/shared.ledger"
        a = self.instance("a", extra=shared)
        b = self.instance("b", extra=shared)
        a.start()
        before = ledger_state(f"{self.tmp}/shared.ledger")
        self.accept("SG00001", "SG00032")  # SG00032: it serves unguarded (issue 8, case 3)
        b.start()
        self.assertRegex(b.error_log(), rf"SG00001: .*held by another live process.*pid {a.parent_pid()}, is running")
        self.assertEqual(ledger_state(f"{self.tmp}/shared.ledger"), before, "B wrote A's ledger")
        self.assertEqual(a.get("/")[0], 200)


class RestartChangesTest(ServerTest):
    def test_a_restart_that_moves_the_ledger_carries_every_set_and_removes_the_old_files(self):
        inst = self.instance()
        inst.start()
        old = inst.ledger_path()
        before = set(read_ledger(old)["sets"])
        inst.extra = "SemGuardLedger run/moved.ledger"
        inst.write_config()
        inst.generation_after("graceful")
        moved = os.path.join(inst.root, "run", "moved.ledger")
        sets = read_ledger(moved)["sets"]
        self.assertEqual(set(sets), set(kernel_sets()))
        self.assertIn("ssl", [r["type"] for r in sets.values()], "mod_ssl's set was carried over")
        self.assertTrue(before & set(sets))
        self.assertFalse(os.path.exists(old) or os.path.exists(old + ".lock"))
        self.assertIn("SG00026", inst.error_log())

    def test_off_by_restart_keeps_the_lock_and_on_again_resumes(self):
        # Issue 8, case 2b: the Off generation's children inherit the lock, so it still proves
        # them gone at the next start (test_safety's test_case2b).
        inst = self.instance()
        inst.start()
        lock = inst.ledger_path() + ".lock"
        inst.extra = "SemGuard Off"
        inst.write_config()
        inst.generation_after("graceful")
        self.assertEqual(subprocess.run(["flock", "-n", lock, "true"]).returncode, 1, "still held")
        inst.extra = ""
        inst.write_config()
        inst.generation_after("graceful")
        self.assertEqual(set(read_ledger(inst.ledger_path())["sets"]), set(kernel_sets()))
        self.assertEqual(subprocess.run(["flock", "-n", lock, "true"]).returncode, 1, "held again")


class WorkerMpmTest(ServerTest):
    def test_worker_records_its_accept_mutex_and_a_restart_after_kill9_removes_the_leftovers(self):
        inst = self.instance(mpm="worker")
        before = kernel_sets()
        inst.start()
        gained = set(kernel_sets()) - set(before)
        ledger = self.assertLedgerMatches(inst, gained)
        self.assertEqual(sorted(r["type"] for r in ledger["sets"].values()), ["mpm-accept", "ssl"])
        inst.kill9()
        inst.start()
        self.assertFalse(gained & set(kernel_sets()))
        self.assertEqual(inst.error_log().count("SG00015"), 2)


class NothingToGuardTest(ServerTest):
    def test_other_mechanisms_make_no_sets_and_say_so_once(self):
        inst = self.instance(mutex="pthread")
        inst.start()
        inst.generation_after("graceful")
        self.assertEqual(kernel_sets(), {})
        self.assertEqual(inst.error_log().count("SG00008"), 1)
        self.assertIn("nothing to guard", inst.error_log())
        self.assertEqual(read_ledger(inst.ledger_path())["sets"], {})


class ChildExitTest(ServerTest):
    def children(self, inst, count=1):
        # Only children past their start: one killed before child_init is an unknown exit.
        children = inst.ready_children(count)
        self.assertGreaterEqual(len(children), count, "children that finished starting")
        return children

    def test_a_set_removed_under_the_live_server_raises_one_alert(self):
        inst = self.instance(loglevel="info semguard:debug")
        inst.start()
        ledger = read_ledger(inst.ledger_path())
        ssl_set = next(s for s, r in ledger["sets"].items() if r["type"] == "ssl")
        victims = self.children(inst, 2)[:2]  # before the ipcrm: mod_status asks mod_ssl's lock
        subprocess.run(["ipcrm", "-s", str(ssl_set)], check=True)
        self.accept("SG00007")
        for victim in victims:  # two child exits, one alert
            os.kill(victim, signal.SIGKILL)
            self.wait_for_log(inst, f"child pid {victim} exited")
        log = inst.error_log()
        self.assertEqual(log.count("SG00007"), 1)
        self.assertRegex(log, rf"\[semguard:alert\].*SG00007: semaphore set {ssl_set} \(ssl\) vanished")

    def test_exits_are_told_apart_clean_or_not(self):
        inst = self.instance(loglevel="info semguard:debug")
        inst.start()
        victim = self.children(inst)[0]
        os.kill(victim, signal.SIGKILL)
        self.wait_for_log(inst, f"child pid {victim} exited without a clean shutdown")
        # A child told to stop by the parent (graceful) shuts down cleanly.
        before = self.children(inst)
        inst.generation_after("graceful")
        for pid in before:
            self.wait_for_log(inst, f"child pid {pid} exited")
        for pid in before:
            self.assertIn(f"child pid {pid} exited cleanly", inst.error_log())

    def wait_for_log(self, inst, text, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in inst.error_log():
                return
            time.sleep(0.05)
        self.fail(f"no '{text}' in the error log:\n{inst.error_log()[-2000:]}")


class ServerUnderTestTest(ServerTest):
    """The suite runs on the server SEMGUARD_SERVER names, with that server's own default mutex:
    Debian's apache2 (APR 1.7) needs `Mutex sysvsem default`; APR 1.6 makes SysV sets with no
    Mutex line at all, the case that leaks on the RHEL 8 family."""

    def test_the_named_server_runs_and_makes_its_sets_with_its_own_mutex_setting(self):
        inst = self.instance(loglevel="debug")
        with open(inst.conf) as f:
            mutex_lines = [line for line in f.read().splitlines() if line.startswith("Mutex")]
        if SERVER.mutex:
            self.assertEqual(mutex_lines, [f"Mutex {SERVER.mutex} default"])
        else:
            self.assertEqual(mutex_lines, [])
            self.assertIn("-D APR_USE_SYSVSEM_SERIALIZE", SERVER.version())
        before = kernel_sets()
        inst.start()
        self.assertEqual({os.readlink(f"/proc/{p}/exe") for p in inst.processes()},
                         {os.path.realpath(SERVER.binary)})
        accept = re.search(r"AH00165: Accept mutex: (\w+) \(default: (\w+)\)", inst.error_log())
        self.assertIsNotNone(accept, "httpd names its accept mutex at LogLevel debug")
        self.assertEqual(accept.group(1), "sysvsem")
        if not SERVER.mutex:
            self.assertEqual(accept.group(2), "sysvsem", "no Mutex line: sysvsem is the default")
        gained = set(kernel_sets()) - set(before)
        self.assertEqual(len(gained), 2, "accept mutex + ssl-cache")
        ledger = self.assertLedgerMatches(inst, gained)
        self.assertEqual(sorted(r["type"] for r in ledger["sets"].values()), ["mpm-accept", "ssl"])
        self.assertTrue(all(k["uid"] == SERVER.uid for k in kernel_sets().values()),
                        f"the sets belong to the server's User {SERVER.user}")
