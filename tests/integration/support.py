"""Shared pieces of the integration tests: a base class that owns instances and watches their
error logs, as httpd's own test harness does: any warn-or-worse line that no test accepted by its
tag fails the test."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
from instance import SERVER, Instance, kernel_sets, read_ledger, pid_alive  # noqa: E402,F401
# The table's limits and another program's sets: one place for the tests and the bench.
from semtable import DEFAULT_SEM, SemHold, set_semmni  # noqa: E402,F401

SEVERE = {"warn", "error", "crit", "alert", "emerg"}
# Debian's mod_ssl warns that it was built against a newer OpenSSL point release than the one
# loaded; it is the package's, not ours, and harmless.
ALWAYS_ACCEPTED = {"AH01882"}


def wait_for(predicate, timeout=15, what="condition"):
    """The predicate's first true value, polled every 50 ms; fails after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def severe_lines(log, accepted):
    bad = []
    for line in log.splitlines():
        m = re.match(r"^\[[^\]]+\] \[([a-z_0-9]+):([a-z0-9]+)\]", line)
        if not m or m.group(2) not in SEVERE:
            continue
        tags = set(re.findall(r"\b((?:AH|SG)\d{5})\b", line))
        if tags & (accepted | ALWAYS_ACCEPTED):
            continue
        bad.append(line)
    return bad


def require_private_namespace():
    """The tests make and remove real semaphore sets; they must never see the host's."""
    if os.environ.get("SEMGUARD_TEST_NAMESPACE") != "1":
        raise unittest.SkipTest("run through tests/run-all.sh, which gives a private IPC+PID namespace")


class ServerTest(unittest.TestCase):
    """Each test gets fresh instances under a 0755 temp dir; all are killed at the end."""

    def setUp(self):
        require_private_namespace()
        self.tmp = tempfile.mkdtemp(prefix="semguard-it-")
        os.chmod(self.tmp, 0o755)
        self.instances = []
        self.holds = []
        self.accepted_tags = set()

    def tearDown(self):
        for inst in self.instances:
            inst.kill9()
        for hold in self.holds:
            hold.stop()
        set_semmni(None)
        problems = []
        for inst in self.instances:
            # After a kill -9 httpd rightly warns that the pid file was overwritten.
            unclean = {"AH00098"} if inst.killed else set()
            problems += severe_lines(inst.error_log(), self.accepted_tags | unclean)
        shutil.rmtree(self.tmp, ignore_errors=True)
        # Leftovers would confuse the next test in this namespace.
        for semid in kernel_sets():
            os.system(f"ipcrm -s {semid} 2>/dev/null")
        self.assertEqual(problems, [], "unexpected warn-or-worse lines in an error log")

    def hold(self, *args):
        h = SemHold(*args)
        self.holds.append(h)
        return h

    def accept(self, *tags):
        self.accepted_tags.update(tags)

    def instance(self, name="a", **kwargs):
        inst = Instance(os.path.join(self.tmp, name), **kwargs).create()
        self.instances.append(inst)
        return inst

    def assertLedgerMatches(self, inst, expected_semids):
        ledger = read_ledger(inst.ledger_path())
        table = kernel_sets()
        self.assertEqual(set(ledger["sets"]), set(expected_semids))
        for semid, rec in ledger["sets"].items():
            k = table[semid]
            self.assertEqual((int(rec["ctime"]), int(rec["cuid"]), int(rec["nsems"]), int(rec["key"])),
                             (k["ctime"], k["cuid"], k["nsems"], k["key"]), f"identity of {semid}")
        return ledger


BUILD = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build")
TEST_MODULE = SERVER.test_module
def rewrite_ledger(path, edit):
    """Lets a test change a ledger's lines and re-seals it (build/ledger-seal: the core's own end
    line and checksum), so only the edited fact is wrong."""
    with open(path) as f:
        lines = f.read().splitlines()
    body = "".join(line + "\n" for line in edit(lines[:-1]))
    sealed = subprocess.run([os.path.join(BUILD, "ledger-seal")], input=body, capture_output=True,
                            text=True, check=True, timeout=30).stdout
    with open(path, "w") as f:
        f.write(sealed)
    os.chmod(path, 0o600)


def replace_field(line, key, value):
    return " ".join(f"{key}={value}" if part.startswith(key + "=") else part for part in line.split(" "))
