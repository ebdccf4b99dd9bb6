"""Issue 11 item 6: sets made by other modules' post_config hooks are labelled by the mutex type
they make (mod_proxy, mod_proxy_balancer, mod_auth_digest, mod_rewrite, util_ldap, mod_watchdog,
mod_authn_socache, mod_cache_socache, mod_lua), as mod_ssl's are, on a real server; the labels
reach the ledger and the status page."""
import collections
import json
import os
import subprocess

from support import SERVER, ServerTest, kernel_sets, read_ledger

PHASES = {"pre_config", "open_logs", "post_config"}


def compiled_in():
    out = subprocess.run([SERVER.binary, "-l"], capture_output=True, text=True, timeout=30).stdout
    return {line.strip() for line in out.splitlines()}


def load_lines(names):
    """LoadModule lines for the modules `names` (mod_<name>) the server under test does not have
    compiled in (Debian builds mod_watchdog in), and the ones it has neither way."""
    builtin = compiled_in()
    lines, missing = "", []
    for n in names:
        if f"mod_{n}.c" in builtin:
            continue
        path = os.path.join(SERVER.modules, f"mod_{n}.so")
        if os.path.exists(path):
            lines += f"LoadModule {n}_module {path}\n"
        else:
            missing.append(f"mod_{n}")
    return lines, missing


BALANCER = """
<Proxy balancer://semguardlabels>
    BalancerMember http://127.0.0.1:9
</Proxy>
ProxyPass /balanced balancer://semguardlabels
"""


class LabelsTest(ServerTest):
    def start_with(self, modules, config, expected):
        """Starts a server that loads `modules` besides the usual ones, with `config`, and checks
        that every set it made is recorded with a mutex type, never a phase; `expected` maps each
        new type to its number of sets (None: at least one)."""
        lines, missing = load_lines(modules)
        if missing:
            self.skipTest(f"the {SERVER.name} server has no {', '.join(missing)}"
                          " (tests/tools/build-stack.sh builds only the modules the suite needs)")
        inst = self.instance(extra=lines + config)
        before = set(kernel_sets())
        inst.start()
        for when in ("start", "graceful"):
            if when == "graceful":
                inst.generation_after("graceful")
            gained = set(kernel_sets()) - before
            ledger = self.assertLedgerMatches(inst, gained)
            types = collections.Counter(r["type"] for r in ledger["sets"].values())
            self.assertFalse(PHASES & set(types), f"{when}: a set labelled by its phase: {types}")
            self.assertEqual((types["mpm-accept"], types["ssl"]), (1, 1), f"{when}: {types}")
            for label, count in expected.items():
                if count is None:
                    self.assertGreaterEqual(types[label], 1, f"{when}: no {label} set: {types}")
                else:
                    self.assertEqual(types[label], count, f"{when}: {types}")
            self.assertEqual(set(types), {"mpm-accept", "ssl", *expected}, when)
            page = json.loads(inst.get("/semguard-status?json")[1])
            self.assertEqual(page["server"]["sets_by_type"], dict(types), when)
        return inst

    def test_mod_proxy_and_mod_proxy_balancer(self):
        self.start_with(["proxy", "proxy_http", "proxy_balancer", "slotmem_shm",
                         "lbmethod_byrequests"], BALANCER,
                        {"proxy": 1, "proxy-balancer-shm": None})

    def test_mod_auth_digest(self):
        # httpd 2.4.62 makes authdigest-client and authdigest-opaque, Debian's 2.4.71 the first
        # only: one label for both, "authdigest".
        self.start_with(["auth_digest"], "", {"authdigest": None})

    def test_mod_rewrite_with_a_prg_map(self):
        self.start_with(["rewrite"], "RewriteEngine On\nRewriteMap same prg:/bin/cat\n",
                        {"rewrite-map": 1})

    def test_util_ldap(self):
        self.start_with(["ldap"], "", {"ldap-cache": 1})

    def test_mod_watchdog_for_mod_proxy_hcheck(self):
        # mod_proxy_hcheck asks mod_watchdog for a singleton child watchdog: one mutex.
        self.start_with(["watchdog", "proxy", "proxy_http", "proxy_balancer", "slotmem_shm",
                         "lbmethod_byrequests", "proxy_hcheck"], BALANCER,
                        {"proxy": 1, "proxy-balancer-shm": None, "watchdog-callback": 1})

    def test_mod_authn_socache(self):
        self.start_with(["authn_core", "authn_socache"], "AuthnCacheEnable\n",
                        {"authn-socache": 1})

    def test_mod_cache_socache(self):
        self.start_with(["cache", "cache_socache"], "CacheSocache shmcb\nCacheEnable socache /\n",
                        {"cache-socache": 1})

    def test_mod_lua(self):
        self.start_with(["lua"], "", {"lua-ivm-shm": 1})
