"""The kernel's semaphore table as the tests and the bench arrange it, inside a private IPC
namespace: its limits (kernel.sem), sets another program holds, httpd-shaped leftovers, and
emptying it. One place, so the bench and the tests make the same sets the same way.
"""
import os
import subprocess

BUILD = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "build")
DEFAULT_SEM = "32000 1024000000 500 32000"


def set_semmni(limit):
    """kernel.sem is per IPC namespace: lowering it here reproduces ENOSPC in seconds."""
    with open("/proc/sys/kernel/sem", "w") as f:
        f.write(f"32000 1024000000 500 {limit}" if limit else DEFAULT_SEM)


class SemHold:
    """Sets made by another program (tests/tools/semhold.c); alive until stop(). With -x the
    program exits at once: the sets stay, and their last user is dead."""

    def __init__(self, *args):
        args = [str(a) for a in args]
        self.proc = subprocess.Popen([os.path.join(BUILD, "semhold"), *args],
                                     stdout=subprocess.PIPE, text=True)
        count = int(args[args.index("-n") + 1]) if "-n" in args else 1
        self.semids = [int(self.proc.stdout.readline()) for _ in range(count)]
        if "-x" in args:
            self.proc.wait()
        if len(self.semids) != count:
            raise RuntimeError(f"semhold made {len(self.semids)} of {count} sets (kernel.sem?)")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def foreign_sets(n):
    """n live sets of another program (root's, not httpd-shaped for a User other than root)."""
    return SemHold("-n", n)


def leftovers(n, uid, gid):
    """n sets exactly as httpd leaves them: IPC_PRIVATE, one semaphore, 0600, value 1, owned by
    uid:gid (httpd's User and Group), created by this process's euid, last user gone."""
    return SemHold("-n", n, "-u", uid, "-g", gid, "-x").semids


def clear_table():
    """Removes every set of this (private) IPC namespace."""
    subprocess.run(["ipcrm", "--all=sem"], capture_output=True, check=True)


def sets_in_use():
    with open("/proc/sysvipc/sem") as f:
        return sum(1 for _ in f) - 1
