"""A "container" for the integration tests: an apache2 instance in its own mount and PID
namespaces that shares the caller's IPC namespace, as `docker --ipc=host`, a pod's containers or
two chroots on one host do.

Its pid 1 is build/reaper; killing pid 1 ends the whole PID namespace at once, which is what a
container stop with SIGKILL (or an OOM kill of the container) does. Bind mounts given to the
container exist only in its mount namespace, so one path string can name different files inside
and outside of it.
"""
import os
import shlex
import signal
import subprocess
import time

from instance import pid_alive
from servers import PROJECT

REAPER = os.path.join(PROJECT, "build", "reaper")


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


class Container:
    """Runs `inst` (an Instance whose files already exist) with `apache2 -k start` inside new
    mount + PID namespaces. binds: (source, target) pairs mounted inside the container only."""

    def __init__(self, inst, binds=()):
        self.inst = inst
        self.binds = list(binds)
        self.unshare = None

    def start(self, timeout=15):
        """Starts the container and waits until its server answers; returns the host pid of the
        server's parent."""
        # A container starts with a fresh run folder; a PidFile left by the last one names a
        # pid of a PID namespace that is gone, and could name one of this one's.
        try:
            os.unlink(self.inst.pidfile())
        except FileNotFoundError:
            pass
        steps = [f"mount --bind {shlex.quote(src)} {shlex.quote(dst)}" for src, dst in self.binds]
        steps.append(f"{shlex.quote(self.inst.server.binary)} -f {shlex.quote(self.inst.conf)} -k start")
        # pid 1 (the reaper) lives as long as its main child: keep that child until killed.
        script = " && ".join(steps) + "; exec sleep 100000"
        self.unshare = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc",
             REAPER, "sh", "-c", script],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            parent = self.parent_pid()
            if parent and self.inst.answers():
                return parent
            if self.unshare.poll() is not None:
                break
            time.sleep(0.05)
        err = self.unshare.stderr.read().decode() if self.unshare.poll() is not None else ""
        raise AssertionError(f"container did not come up: {err}\n{self.inst.error_log()[-3000:]}")

    def init_pid(self):
        """The host pid of the container's pid 1."""
        if self.unshare is None:
            return None
        kids = _children(self.unshare.pid)
        return kids[0] if kids else None

    def parent_pid(self):
        """Host pid of the server's parent: the apache2 process whose parent is not apache2.
        (The PidFile holds the pid as the container sees it.)"""
        mine = set(self.inst.processes())
        parents = [p for p in mine if _ppid(p) not in mine]
        return parents[0] if len(parents) == 1 else None

    def kill(self, timeout=15):
        """Ends the container as `docker kill` does: SIGKILL to its pid 1 ends every process."""
        init = self.init_pid()
        if init:
            try:
                os.kill(init, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.unshare is not None:
            try:
                self.unshare.wait(timeout)
            except subprocess.TimeoutExpired:
                self.unshare.kill()
                self.unshare.wait()
            self.unshare.stderr.close()
        self.inst.killed = True
        self.inst.wait_no_processes(timeout)
        deadline = time.time() + timeout
        while init and pid_alive(init) and time.time() < deadline:
            time.sleep(0.05)
        self.unshare = None
