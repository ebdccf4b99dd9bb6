"""semguardctl as `make demo` runs it: the text an admin reads, and the same command's --json for
the demo's own checks. Read-only commands (list, explain) and the one cleanup between steps."""
import json
import os
import subprocess

import servers

BINARY = os.path.join(servers.BUILD, "semguardctl")


class Ctl:
    def __init__(self, binary=BINARY):
        self.binary = binary

    def run(self, *args):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=60)

    def text(self, *args):
        """The command's printed lines, standard error included, and its exit code."""
        r = self.run(*args)
        return (r.stdout + r.stderr).splitlines(), r.returncode

    def json(self, *args):
        r = self.run("--json", *args)
        try:
            return json.loads(r.stdout)
        except ValueError:
            raise RuntimeError(f"semguardctl --json {' '.join(args)} gave no JSON "
                               f"(exit {r.returncode}): {r.stderr.strip()}") from None


def ledger_args(*ledgers):
    args = []
    for ledger in ledgers:
        args += ["--ledger", ledger]
    return args


def ledger_entry(listing, path):
    """The `list --json` entry of one ledger, or None."""
    return next((entry for entry in listing.get("ledgers", []) if entry["path"] == path), None)
