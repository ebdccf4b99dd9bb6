"""Step 3 of `make demo`: the `ipcs | grep | awk | ipcrm` line that runbooks and cron jobs use,
run against live servers. It runs inside demo.sh's private IPC namespace only, where every set is
the demo's own."""
import os
import signal
import subprocess
import time

from demo_ctl import ledger_args, ledger_entry
from demo_show import tagged
from instance import SERVER, kernel_sets

USER = SERVER.user
PICK = f"ipcs -s | grep {USER} | awk '{{print $2}}'"
# The form that works with util-linux's ipcrm: one `ipcrm -s SEMID` per set.
LINE = f"{PICK} | xargs -n 1 ipcrm -s"
# The form often written down: util-linux's ipcrm takes no bare ids, so this one removes nothing.
BARE = f"{PICK} | xargs ipcrm"
WAIT = 15  # seconds to wait for a server's reaction


def wait_until(condition, timeout=WAIT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def shell(line):
    r = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=60)
    said = (r.stdout + r.stderr).strip().splitlines()
    return r.returncode, said[0] if said else "no output"


def tls_answer(inst):
    try:
        return inst.get("/", tls=True)[0] == 200
    except OSError:
        return False


class CronStep:
    def __init__(self, demo):
        self.demo = demo
        self.show, self.check, self.ctl = demo.show, demo.check, demo.ctl

    def run(self, prefork):
        self.show.step(3, "The usual cron line against a live server, in this namespace only")
        self.show.say("Many runbooks and cron jobs free the table with a line that removes every "
                      f"set of httpd's user ({USER}), whoever made it, live or not.")
        self.prefork(prefork)
        self.event()

    def cron_line(self, live_sets, try_bare=False):
        """Runs the line, prints what it removed; True when every one of live_sets is gone."""
        ids = {s["semid"] for s in live_sets}
        if try_bare:
            before = set(kernel_sets())
            code, said = shell(BARE)
            taken = sorted(before - set(kernel_sets()))
            self.show.say(f"As often written, '... | xargs ipcrm' gives '{said}' (exit {code}) "
                          f"and removes {len(taken)} set(s); the form that works is "
                          "'xargs -n 1 ipcrm -s'.", 6)
        before = set(kernel_sets())
        code, _ = shell(LINE)
        taken = sorted(before - set(kernel_sets()))
        self.show.lines([f"$ {LINE}"], 6)
        removed = f"set(s) {', '.join(map(str, taken))}" if taken else "no set"
        self.show.say(f"exit {code}; it removed {removed}, and the table now holds "
                      f"{len(kernel_sets())} set(s).", 6)
        return bool(ids) and not ids & set(kernel_sets())

    def live_in_ctl(self, inst, label):
        args = ledger_args(inst.ledger_path())
        text, _ = self.ctl.text("list", *args)
        self.show.say(f"semguardctl list: {label}", 6)
        self.show.lines([line for line in text if line[:1].isdigit()], 9)
        listing = self.ctl.json("list", *args)
        ours = [s for s in listing["sets"] if s.get("ledger") == inst.ledger_path()]
        self.check.expect(ours and all(s["mark"] == "live" for s in ours),
                          f"semguardctl list did not mark the live server's sets live: {ours}")
        return ours

    def kept_in_ctl(self, inst, ours):
        args = ledger_args(inst.ledger_path())
        semid = str(next((s for s in ours if s["type"] == "ssl"), ours[0])["semid"])
        self.show.say(f"semguardctl explain {semid}: the set is free, like a leftover, but its "
                      "owner lives, so it is kept:", 6)
        self.show.lines(self.ctl.text("explain", semid, *args)[0], 9)
        self.check.expect(not self.ctl.json("explain", semid, *args)["would_remove"],
                          f"semguardctl explain {semid} would remove a live server's set")

    def prefork(self, inst):
        self.show.say("3a. The server from step 2 (prefork) is running and answering.")
        ours = self.live_in_ctl(inst, "both sets are the live server's")
        if not ours:
            return
        self.kept_in_ctl(inst, ours)
        inst.ready_children(2)  # both children past their start: one waits on the accept mutex
        mark = inst.log_size()
        gone = self.cron_line(ours, try_bare=True)
        ran = time.time()
        inst.answers()  # a request: the child that held the mutex must give it back now
        down = wait_until(lambda: not inst.processes())
        took = time.time() - ran
        log = inst.error_log()[mark:]
        self.show.say(f"Within {took:.1f} s the ErrorLog says:", 6)
        self.show.log_lines(tagged(log, "AH00144", "AH00146", "AH00050", "AH02818"), 9)
        answer = "it still answers" if inst.answers() else "nothing answers on its ports"
        why = (" mod_semguard gets no chance to raise SG00007 here: httpd exits at the first "
               "child that fails, before the hook that reports child exits runs.") if down else ""
        self.show.say(f"The server is {'gone' if down else 'still there'}: {answer}.{why}", 6)
        self.check.expect(gone, "the cron line did not remove the live server's sets")
        self.check.expect(down and tagged(log, "AH00144", "AH00146") and tagged(log, "AH00050"),
                          "the prefork server survived the cron line (no AH00144/AH00050 exit)")
        tags = [t for t in ("AH00144", "AH00146", "AH00050") if tagged(log, t)]
        self.demo.figures["prefork"] = (len(ours), tags, down)

    def event(self):
        self.show.say("3b. A second server, the same but with Debian's default MPM, event, which "
                      "makes no accept mutex: mod_ssl's set is its only one.")
        inst = self.demo.instance("event", mpm="event")
        inst.start()
        ours = self.live_in_ctl(inst, "its one set is live")
        mark = inst.log_size()
        gone = self.cron_line(ours)
        answered = sum(1 for _ in range(3) if tls_answer(inst))
        locks = tagged(inst.error_log()[mark:], "AH02026")
        self.show.say(f"{answered} of 3 HTTPS requests still get an answer, but the TLS session "
                      f"cache now runs without its lock: {len(locks)} lines like this one:", 6)
        self.show.log_lines(locks[:1], 9)
        alert = self.child_exit(inst, mark)
        listing = self.ctl.json("list", *ledger_args(inst.ledger_path()))
        entry = ledger_entry(listing, inst.ledger_path()) or {}
        self.show.say(f"semguardctl list: the ledger is {entry.get('state')}, "
                      f"{entry.get('sets_recorded')} set recorded, {entry.get('sets_present')} "
                      "still present.", 6)
        self.check.expect(gone, "the cron line did not remove the event server's set")
        self.check.expect(locks, "no AH02026 after the cron line: the session cache lock worked")
        self.check.expect(alert, "no SG00007 alert after a child exit")
        self.check.expect(entry.get("live") and entry.get("sets_present") == 0,
                          f"semguardctl list did not show the live ledger's set gone: {entry}")
        self.demo.figures["event"] = (answered, len(locks), len(alert))
        inst.kill9()

    def child_exit(self, inst, mark):
        """One child ends; mod_semguard checks its sets at each child exit. The alert lines."""
        parent = inst.parent_pid()
        child = next((p for p in inst.processes() if p != parent), None)
        if child:
            os.kill(child, signal.SIGKILL)
        self.show.say(f"A child process ends (the demo kills pid {child}, as the OOM killer "
                      "would), and mod_semguard tells:", 6)
        wait_until(lambda: "SG00007" in inst.error_log()[mark:])
        alert = tagged(inst.error_log()[mark:], "SG00007")
        self.show.log_lines(alert, 9)
        return alert
