"""Issue 11: semguardctl against a real table in the private namespace: sets made by a real
httpd with the module (live, or left by kill -9), foreign sets from build/semhold, and the
exit codes an operator or a monitoring system acts on."""
import json
import os
import re
import shutil
import subprocess

from support import BUILD, SERVER, ServerTest, kernel_sets, read_ledger, set_semmni

SEMGUARDCTL = os.path.join(BUILD, "semguardctl")
USER, GROUP = str(SERVER.uid), str(SERVER.gid)


def ctl(*args, user=None):
    command = [SEMGUARDCTL, *args]
    if user:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def ctl_json(*args):
    r = ctl(*args, "--json")
    return r, json.loads(r.stdout)


PROJECT = os.path.dirname(BUILD)


def dropin_arguments(unit):
    """The arguments of the ExecStopPost line of conf/systemd/UNIT.service.d/semguard.conf."""
    with open(os.path.join(PROJECT, "conf", "systemd", f"{unit}.service.d", "semguard.conf")) as f:
        text = f.read().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStopPost="))
    words = line.split("=", 1)[1].split()
    assert words[0] == "-/usr/local/sbin/semguardctl", words[0]
    return words[1:]


def ledger_sets(inst):
    return read_ledger(inst.ledger_path())["sets"]


class SemguardctlTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.assertTrue(os.access(SEMGUARDCTL, os.X_OK), "make build makes build/semguardctl")

    def live_and_dead(self):
        """A live server, a killed one, a live foreign program's sets and one httpd-shaped
        abandoned set no ledger knows."""
        live = self.instance("live")
        live.start()
        dead = self.instance("dead")
        dead.start()
        dead_sets = ledger_sets(dead)
        dead.kill9()
        foreign = self.hold("-n", "2").semids
        candidate = self.hold("-u", USER, "-g", GROUP, "-x").semids[0]
        return live, dead, dead_sets, foreign, candidate

    def test_show_prints_the_ledger_the_module_wrote_and_refuses_what_it_would_refuse(self):
        inst = self.instance()
        inst.start()
        r, out = ctl_json("show", inst.ledger_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(out["owner"]["pid"], inst.parent_pid())
        self.assertEqual(out["config"]["file"], os.path.realpath(inst.conf))
        table = kernel_sets()
        self.assertEqual({s["semid"] for s in out["sets"]}, set(table))
        for s in out["sets"]:
            self.assertEqual((s["ctime"], s["cuid"], s["key"], s["inherited"]),
                             (table[s["semid"]]["ctime"], 0, 0, False))
        self.assertEqual(sorted(s["type"] for s in out["sets"]), ["mpm-accept", "ssl"])
        text = ctl("show", inst.ledger_path())
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn(f"{len(table)} set(s) recorded", text.stdout)

        # A copy the module would refuse: group-writable. Exit 1, the reason, nothing moved.
        bad = os.path.join(self.tmp, "copy.ledger")
        shutil.copyfile(inst.ledger_path(), bad)
        os.chmod(bad, 0o660)
        refused = ctl("show", bad)
        self.assertEqual(refused.returncode, 1, refused.stdout)
        self.assertRegex(refused.stderr, r"^semguardctl: cannot read ledger .*writable")
        self.assertEqual(refused.stdout, "")
        self.assertTrue(os.path.exists(bad) and not os.path.exists(bad + ".bad"))
        missing = ctl("show", os.path.join(self.tmp, "none.ledger"))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("none.ledger", missing.stderr)

    def test_list_marks_each_set_with_its_instance_type_and_owner(self):
        live, dead, dead_sets, foreign, candidate = self.live_and_dead()
        live_sets = ledger_sets(live)
        self.assertTrue(live_sets and dead_sets)
        r, out = ctl_json("list", "--ledger", live.ledger_path(), "--ledger", dead.ledger_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(out["command"], "list")
        by_semid = {s["semid"]: s for s in out["sets"]}
        self.assertEqual(set(by_semid), set(kernel_sets()), "every set of the table is listed")
        states = {l["path"]: l["state"] for l in out["ledgers"]}
        self.assertEqual(states, {live.ledger_path(): "live", dead.ledger_path(): "dead"})
        for semid, rec in live_sets.items():
            s = by_semid[semid]
            self.assertEqual((s["mark"], s["ledger"], s["instance"], s["type"]),
                             ("live", live.ledger_path(), "live", rec["type"]))
            self.assertEqual((s["owner"], s["group"], s["creator"]),
                             (SERVER.user, SERVER.group, "root"))
        for semid, rec in dead_sets.items():
            s = by_semid[semid]
            self.assertEqual((s["mark"], s["ledger"], s["instance"], s["type"], s["removable"]),
                             ("leftover", dead.ledger_path(), "dead", rec["type"], True), s)
        for semid in foreign:
            self.assertEqual((by_semid[semid]["mark"], by_semid[semid]["owner"]),
                             ("foreign", "root"))
        self.assertEqual((by_semid[candidate]["mark"], by_semid[candidate]["removable"]),
                         ("candidate", True))
        self.assertEqual(out["table"]["sets"], len(kernel_sets()))

        text = ctl("list", "--ledger", live.ledger_path(), "--ledger", dead.ledger_path())
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn(f"{live.ledger_path()}: live (pid {live.parent_pid()}", text.stdout)
        rows = {int(line.split()[0]): line for line in text.stdout.splitlines()
                if re.match(r"^\d+ ", line)}
        self.assertEqual(set(rows), set(kernel_sets()))
        for semid in dead_sets:
            self.assertIn(f"leftover: {dead_sets[semid]['type']}, left by the dead instance",
                          rows[semid])
            self.assertIn(f"{SERVER.user}:{SERVER.group}", rows[semid])
        self.assertIn("candidate: httpd-shaped", rows[candidate])

    def test_ledgers_are_found_in_the_usual_runtime_folders(self):
        """A killed server's ledger in /run/apache2 (a bind mount of its run folder, in a mount
        namespace of this command's own) is found without --ledger."""
        if not os.path.isdir("/run/apache2"):
            self.skipTest("no /run/apache2 to mount over")
        dead = self.instance("dead")
        dead.start()
        dead_sets = ledger_sets(dead)
        dead.kill9()
        run = os.path.dirname(dead.ledger_path())
        script = 'mount --bind "$1" /run/apache2 && shift && exec "$@"'
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                            "sh", run, SEMGUARDCTL, "list", "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        found = "/run/apache2/" + os.path.basename(dead.ledger_path())
        self.assertEqual([(l["path"], l["state"]) for l in out["ledgers"]], [(found, "dead")])
        marks = {s["semid"]: (s["mark"], s["ledger"]) for s in out["sets"]}
        self.assertEqual(marks, {semid: ("leftover", found) for semid in dead_sets})

    def test_cleanup_refuses_while_the_owner_lives(self):
        live = self.instance("live")
        live.start()
        before = set(kernel_sets())
        for extra in ([], ["--dry-run"], ["--adopt", "remove"]):
            r = ctl("cleanup", "--adopt", "report", "--ledger", live.ledger_path(), *extra)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("refusing to clean up", r.stderr)
            self.assertIn(f"pid {live.parent_pid()}", r.stderr, "the message names the live owner")
            self.assertIn("nothing was removed", r.stderr)
            self.assertEqual(set(kernel_sets()), before)
        self.assertEqual(live.get("/")[0], 200)

    def test_cleanup_removes_a_killed_servers_leftovers_and_nothing_else(self):
        live, dead, dead_sets, foreign, candidate = self.live_and_dead()
        live_sets = set(ledger_sets(live))
        # --dry-run: the same judgement, nothing removed.
        r, out = ctl_json("cleanup", "--adopt", "remove", "--dry-run",
                          "--ledger", dead.ledger_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((out["removed"], out["skipped"], out["adopt"]),
                         (0, len(dead_sets), "report"))
        self.assertEqual({s["reason"] for s in out["skips"]},
                         {"SemGuardCleanup Report: would be removed"})
        self.assertTrue(set(dead_sets) <= set(kernel_sets()))
        # The systemd drop-ins' lines, as written there, with this ledger's path.
        for unit in ("apache2", "httpd"):
            args = dropin_arguments(unit)
            self.assertEqual(args[:-1], ["cleanup", "--adopt", "report", "--ledger"], unit)
        r = ctl(*args[:-1], dead.ledger_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("SG00015: removed semaphore set"), len(dead_sets), r.stdout)
        self.assertIn(f"{len(dead_sets)} removed, 0 kept", r.stdout)
        self.assertIn(f"SG00018: semaphore set {candidate} looks like an httpd leftover", r.stdout)
        table = set(kernel_sets())
        self.assertFalse(set(dead_sets) & table, "the killed server's sets are gone")
        self.assertTrue(live_sets | set(foreign) | {candidate} <= table)
        self.assertEqual(live.get("/")[0], 200)
        # --adopt remove takes the candidate, and only it.
        r, out = ctl_json("cleanup", "--adopt", "remove", "--ledger", dead.ledger_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((out["removed"], out["gone"], out["adopted"]), (0, len(dead_sets), 1))
        self.assertEqual(set(kernel_sets()), live_sets | set(foreign))

    def test_check_gives_ok_warning_critical_and_unknown(self):
        live = self.instance("live")
        live.start()
        r = ctl("check", "--ledger", live.ledger_path())
        self.assertEqual(r.returncode, 0, r.stdout)
        n = len(kernel_sets())
        self.assertRegex(r.stdout, r"^SEMGUARD OK - .* \| sets=%d;25600;28800;0;32000 "
                         r"sems=%d;\d+;\d+;0;\d+ "
                         r"leftovers=0;0;;0 candidates=0;0;;0\n$" % (n, n))

        dead = self.instance("dead")
        dead.start()
        dead.kill9()
        r = ctl("check", "--ledger", live.ledger_path(), "--ledger", dead.ledger_path())
        self.assertEqual(r.returncode, 1, r.stdout)
        left = len(ledger_sets(dead))
        self.assertIn("SEMGUARD WARNING - leftovers to clean: ", r.stdout)
        self.assertIn(f" leftovers={left};0;;0 ", r.stdout)
        r, out = ctl_json("check", "--ledger", dead.ledger_path())
        self.assertEqual((r.returncode, out["code"], out["status"], out["leftovers"]),
                         (1, 1, "WARNING", left))

        set_semmni(len(kernel_sets()))  # no free set left
        r = ctl("check", "--ledger", dead.ledger_path())
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertTrue(r.stdout.startswith("SEMGUARD CRITICAL - semaphore table nearly full"),
                        r.stdout)
        # Once the leftovers are gone, the free-set thresholds alone decide.
        self.assertEqual(ctl("cleanup", "--ledger", dead.ledger_path()).returncode, 0)
        set_semmni(len(kernel_sets()) + 5)
        both = ["--ledger", live.ledger_path(), "--ledger", dead.ledger_path()]
        r = ctl("check", *both, "--warn-free", "5", "--crit-free", "1")
        self.assertEqual(r.returncode, 0, r.stdout)
        r = ctl("check", *both, "--warn-free", "6", "--crit-free", "1")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("semaphore table filling up", r.stdout)
        r = ctl("check", *both, "--warn-free", "90%", "--crit-free", "80%")
        self.assertEqual(r.returncode, 2, r.stdout)

        bad = os.path.join(self.tmp, "bad.ledger")
        with open(bad, "w") as f:
            f.write("not a ledger\n")
        os.chmod(bad, 0o600)
        r = ctl("check", "--ledger", bad)
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertTrue(r.stdout.startswith("SEMGUARD UNKNOWN - cannot read 1 ledger(s)"), r.stdout)
        r = ctl("check", "--warn-free", "lots")
        self.assertEqual(r.returncode, 3, "a plugin's bad argument is UNKNOWN, not CRITICAL")

    def test_explain_gives_one_line_per_rule(self):
        live, dead, dead_sets, foreign, candidate = self.live_and_dead()
        ledgers = ["--ledger", live.ledger_path(), "--ledger", dead.ledger_path()]

        def explain(semid):
            r = ctl("explain", str(semid), *ledgers)
            self.assertEqual(r.returncode, 0, r.stderr)
            rules = {rule: outcome for outcome, rule
                     in re.findall(r"^  (pass|FAIL)  ([A-Za-z ]+): ", r.stdout, re.M)}
            return r.stdout, rules

        out, rules = explain(next(iter(dead_sets)))
        self.assertEqual(rules, {"ledger": "pass", "JudgeOwner": "pass", "instance lock": "pass",
                                 "JudgeRecordedSet": "pass"}, out)
        self.assertIn("verdict: would be removed by semguardctl cleanup --ledger "
                      f"{dead.ledger_path()}", out)

        out, rules = explain(next(iter(ledger_sets(live))))
        self.assertEqual((rules["JudgeOwner"], rules["instance lock"]), ("FAIL", "FAIL"), out)
        self.assertIn(f"JudgeOwner: pid {live.parent_pid()} is still running (same start time)",
                      out)
        self.assertIn("verdict: kept", out)

        out, rules = explain(foreign[0])
        self.assertEqual((rules["HasHttpdShape"], rules["JudgeFree"]), ("FAIL", "FAIL"), out)
        self.assertRegex(out, r"JudgeFree: in use: its last user, pid \d+, is alive")
        self.assertIn("verdict: kept: not an adoption candidate", out)

        out, rules = explain(candidate)
        self.assertEqual(rules, {"ledger": "pass", "HasHttpdShape": "pass", "JudgeFree": "pass",
                                 "AdoptionBlocker": "pass"}, out)
        self.assertIn("verdict: would be removed by semguardctl cleanup --adopt remove", out)

        r, out = ctl_json("explain", str(candidate), *ledgers)
        self.assertEqual((r.returncode, out["path"], out["would_remove"]), (0, "adoption", True))
        self.assertEqual([x["rule"] for x in out["rules"]],
                         ["ledger", "HasHttpdShape", "JudgeFree", "AdoptionBlocker"])
        self.assertTrue(all(x["pass"] for x in out["rules"]))

        missing = max(kernel_sets()) + 1
        r = ctl("explain", str(missing))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"no semaphore set {missing}", r.stderr)

    def test_bad_arguments_unreadable_ledgers_and_no_permission(self):
        for args in ([], ["frobnicate"], ["list", "--dry-run"], ["explain"], ["explain", "x1"],
                     ["cleanup"], ["cleanup", "--ledger"],
                     ["cleanup", "--ledger", "a", "--adopt", "all"],
                     ["list", "--colour"]):
            r = ctl(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage: semguardctl", r.stderr, args)
            self.assertRegex(r.stderr, r"^semguardctl: ", args)
        self.assertIn("'all' is not valid; use off, report or remove",
                      ctl("cleanup", "--ledger", "a", "--adopt", "all").stderr)
        for args in (["--help"], ["list", "--help"], ["help"]):
            r = ctl(*args)
            self.assertEqual((r.returncode, r.stdout.startswith("usage: semguardctl")),
                             (0, True), args)
        r = ctl("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^semguardctl \d")

        bad = os.path.join(self.tmp, "bad.ledger")
        with open(bad, "w") as f:
            f.write("semguard-ledger 1\ngarbage\n")
        os.chmod(bad, 0o600)
        r = ctl("list", "--ledger", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"cannot read ledger {bad}", r.stderr)
        r = ctl("cleanup", "--ledger", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"cannot read ledger {bad}", r.stderr)
        self.assertIn("nothing was removed", r.stderr)

        dead = self.instance("dead")
        dead.start()
        dead_sets = set(ledger_sets(dead))
        dead.kill9()
        r = ctl("cleanup", "--ledger", dead.ledger_path(), user="65534")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("Permission denied", r.stderr)
        self.assertIn("run as the user that starts httpd", r.stderr)
        self.assertTrue(dead_sets <= set(kernel_sets()))
        r = ctl("cleanup", "--ledger", os.path.join(self.tmp, "none.ledger"), "--adopt", "off")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nothing recorded to clean", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "none.ledger.lock")))


class ManPageTest(ServerTest):
    def test_the_man_page_renders_without_warnings(self):
        page = os.path.join(PROJECT, "docs", "semguardctl.1")
        for command in (["groff", "-man", "-ww", "-z", page], ["man", "-l", page]):
            if not shutil.which(command[0]):
                continue
            r = subprocess.run(command, capture_output=True, text=True,
                               env=dict(os.environ, MANWIDTH="80"))
            self.assertEqual((r.returncode, r.stderr), (0, ""), command)
        if shutil.which("man"):
            r = subprocess.run(["man", "-l", page], capture_output=True, text=True)
            for option in ("--ledger", "--json", "--adopt", "--dry-run", "--warn-free",
                           "--crit-free"):
                self.assertIn(option, r.stdout)
