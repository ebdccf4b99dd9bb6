"""Shared pieces of the fault tests (test_kill_phases, test_hostile_ledgers, test_disk_faults):
a start with an environment, strace's fault injection, and the check every case ends with.

Each case runs beside a live program's set of httpd's shape and another live guarded server:
neither may lose a set, whatever the case does to its own instance."""
import os
import re
import subprocess

from support import SERVER, ServerTest, kernel_sets, pid_alive, wait_for  # noqa: F401

WWW = str(SERVER.uid)




def sg_lines(inst, terminal=""):
    """The module's lines, the ErrorLog's then a start's terminal output (for messages)."""
    text = inst.error_log() + "\n" + terminal
    return "\n".join(l for l in text.splitlines() if re.search(r"SG000\d\d|AH0007[0-9]", l))


def apache(inst, *args, env=None, prefix=(), timeout=60):
    """httpd with this instance's config; `env` adds to the environment, `prefix` wraps the
    command (strace)."""
    full = dict(os.environ, **(env or {}))
    return subprocess.run([*prefix, inst.server.binary, "-f", inst.conf, *args],
                          capture_output=True, text=True, timeout=timeout, env=full)


def strace_inject(syscall, when, follow=True):
    """strace's fault injection: SIGKILL on entry to the `when`-th `syscall` of each traced
    process (strace counts per process), so that syscall never runs."""
    return ["strace", *(["-f"] if follow else []), "-qq", "-o", "/dev/null",
            "-e", f"trace={syscall}", "-e", f"inject={syscall}:signal=KILL:when={when}"]


def attach_strace(pid, syscall, when):
    """strace attached to a running process (the daemon), killing it at its `when`-th `syscall`
    from now on. Returns once the process is traced."""
    proc = subprocess.Popen(["strace", "-p", str(pid), *strace_inject(syscall, when, False)[1:]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: tracer_of(pid) != 0, what=f"strace to attach to {pid}")
    return proc


def tracer_of(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"^TracerPid:\s+(\d+)", f.read(), re.M).group(1))
    except (OSError, AttributeError):
        return 0


def trace_syscalls(inst, syscall, *args):
    """Runs httpd under strace, tracing only `syscall` of the first process (pass 1; without -f
    the detached daemon is not traced, so strace ends with pass 1): one line per call."""
    out = os.path.join(inst.root, f"trace-{syscall}")
    r = apache(inst, *args, prefix=["strace", "-qq", "-s", "256", "-o", out,
                                    "-e", f"trace={syscall}"])
    with open(out) as f:
        return r, f.read().splitlines()


class FaultTest(ServerTest):
    """A live foreign program's set (httpd's shape) and a live guarded neighbour in every case."""

    def setUp(self):
        super().setUp()
        self.foreign = set(self.hold("-u", WWW, "-g", WWW).semids)
        self.neighbour = self.instance("neighbour")
        self.neighbour.start()
        self.bystanders = set(kernel_sets())
        self.assertGreaterEqual(len(self.bystanders), 3, "the neighbour's sets and the foreign one")

    def tearDown(self):
        # For docs/reliability.md's figures: the starts that came up (AH00094, once per start),
        # counted when SEMGUARD_FAULT_STATS names a file.
        stats = os.environ.get("SEMGUARD_FAULT_STATS")
        if stats:
            starts = sum(inst.error_log().count("AH00094") for inst in self.instances)
            with open(stats, "a") as f:
                f.write(f"{self.id()} {starts}\n")
        super().tearDown()

    def assertBystandersWhole(self, step):
        table = set(kernel_sets())
        self.assertTrue(self.bystanders <= table,
                        f"{step}: removed the set(s) {sorted(self.bystanders - table)} of a live "
                        "program or of the live neighbour server")
        self.assertEqual(self.neighbour.get("/")[0], 200, f"{step}: the neighbour stopped serving")

    def assertCleanCycle(self, inst, step, start=True):
        """A start that succeeds, then a clean stop that leaves the table as it was before the
        case: nothing of this instance left, nothing of anyone else gone."""
        if start:
            inst.start()
            self.assertBystandersWhole(f"{step}: the start after it")
        inst.stop()
        table = set(kernel_sets())
        left = table - self.bystanders
        self.assertEqual(left, set(), f"{step}: {len(left)} set(s) left after a clean stop "
                         f"{sorted(left)}:\n" + sg_lines(inst))
        self.assertBystandersWhole(f"{step}: after the clean stop")

    def wait_dead(self, pid, what):
        wait_for(lambda: not pid_alive(pid), what=what)
