"""`make install` and `make uninstall` into a staging DESTDIR, and `a2enmod semguard` followed by
`apache2ctl -t` in a throwaway copy of /etc/apache2.

Nothing here writes to the real /etc/apache2, the real module folder or /etc/systemd: every path
is under a temp dir, and the commands that must see the staged module at its real path run in a
mount namespace of their own, where a copy of the module folder is bind-mounted over it.
"""
import filecmp
import os
import shutil
import subprocess
import tempfile
import unittest

from support import BUILD, require_private_namespace

PROJECT = os.path.dirname(BUILD)
MODULE = os.path.join(BUILD, "mod_semguard.so")
APXS = "/usr/bin/apxs"
APACHE2 = "/usr/sbin/apache2"
APACHECTL = "/usr/sbin/apache2ctl"
A2ENMOD = "/usr/sbin/a2enmod"
A2DISMOD = "/usr/sbin/a2dismod"


def apxs_query(name):
    return subprocess.check_output([APXS, "-q", name], text=True).strip()


def files_under(root):
    """Every file and symlink under root, as absolute paths of the target host."""
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            found.add(os.path.join(folder, name)[len(root):])
    return found


def real_host_state(libexecdir, sysconfdir):
    """What the test must never change: the real module file and the real semguard conf files."""
    paths = [os.path.join(libexecdir, "mod_semguard.so")]
    paths += [os.path.join(sysconfdir, d, f"semguard.{ext}")
              for d in ("mods-available", "mods-enabled") for ext in ("load", "conf")]
    state = {}
    for path in paths:
        st = os.lstat(path) if os.path.lexists(path) else None
        state[path] = (st.st_ino, st.st_mtime_ns, st.st_size) if st else None
    return state


def lines(result):
    return (result.stdout + result.stderr).splitlines()


class InstallTest(unittest.TestCase):
    def setUp(self):
        # apache2 -t loads the module, whose pre_config reads the kernel's semaphore table.
        require_private_namespace()
        for tool in (APXS, APACHE2, APACHECTL, A2ENMOD, A2DISMOD):
            if not os.path.exists(tool):
                self.skipTest(f"{tool} is missing: this needs Debian's apache2 and apache2-dev")
        if shutil.which("apxs") != APXS:
            self.skipTest(f"apxs on PATH is {shutil.which('apxs')}, not Debian's {APXS}")
        self.libexecdir = apxs_query("LIBEXECDIR")
        self.sysconfdir = apxs_query("SYSCONFDIR")
        self.installed_module = os.path.join(self.libexecdir, "mod_semguard.so")
        self.load_line = f"LoadModule semguard_module {self.installed_module}"
        if not os.path.isdir(os.path.join(self.sysconfdir, "mods-available")):
            self.skipTest(f"{self.sysconfdir} has no mods-available: not a Debian layout")
        self.assertTrue(os.path.exists(MODULE), "build the module first")
        self.tmp = tempfile.mkdtemp(prefix="semguard-install-")
        self.stage = os.path.join(self.tmp, "stage")
        os.mkdir(self.stage)
        self.before = real_host_state(self.libexecdir, self.sysconfdir)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(real_host_state(self.libexecdir, self.sysconfdir), self.before,
                         "the real module folder or /etc/apache2 changed")

    def make(self, target, *assignments, check=True):
        # The build's own APXS (apxs on PATH, Debian's), so that make finds nothing to rebuild.
        env = {k: v for k, v in os.environ.items() if k not in ("APXS", "DESTDIR", "PREFIX")}
        command = ["make", "-s", "--no-print-directory", target, f"DESTDIR={self.stage}",
                   *assignments]
        r = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        if check:
            self.assertEqual(r.returncode, 0, f"make {target}: {r.stdout}{r.stderr}")
        return r

    def staged(self, path):
        return self.stage + path

    def read(self, path):
        with open(self.staged(path)) as f:
            return f.read()

    def tool_files(self, prefix):
        """semguardctl and its man page: `make install` builds the tool first."""
        return {f"{prefix}/sbin/semguardctl", f"{prefix}/share/man/man1/semguardctl.1"}

    def with_staged_module(self, command, env=None):
        """Runs command where the module folder is a copy holding the staged mod_semguard.so."""
        modules = os.path.join(self.tmp, "modules")
        if not os.path.isdir(modules):
            shutil.copytree(self.libexecdir, modules, symlinks=True)
        staged, copy = self.staged(self.installed_module), os.path.join(modules, "mod_semguard.so")
        if os.path.exists(staged):
            shutil.copy2(staged, copy)
        elif os.path.exists(copy):
            os.remove(copy)
        script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'
        isolated = ["unshare", "--mount", "--propagation", "private"]
        return subprocess.run([*isolated, "sh", "-c", script, "sh", modules, self.libexecdir,
                               *command], env=env, capture_output=True, text=True)

    def test_debian_install_puts_exactly_these_files_and_uninstall_takes_them_all(self):
        r = self.make("install")
        share = "/usr/local/share/mod_semguard"
        load = f"{self.sysconfdir}/mods-available/semguard.load"
        conf = f"{self.sysconfdir}/mods-available/semguard.conf"
        expected = {
            self.installed_module, load, conf,
            f"{share}/semguard-alerts.yml",
            f"{share}/systemd/apache2.service.d/semguard.conf",
            f"{share}/systemd/httpd.service.d/semguard.conf",
        } | self.tool_files("/usr/local")
        self.assertEqual(files_under(self.stage), expected, r.stdout)
        for path in expected:
            mode = os.stat(self.staged(path)).st_mode & 0o777
            self.assertEqual(mode, 0o755 if path.endswith("/sbin/semguardctl") else 0o644, path)
        self.assertTrue(filecmp.cmp(MODULE, self.staged(self.installed_module), shallow=False))
        self.assertEqual(self.read(load), self.load_line + "\n")
        active = [line.strip() for line in self.read(conf).splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
        self.assertFalse([line for line in active if line.startswith("LoadModule")],
                         "the .load file loads the module, the .conf must not")
        self.assertIn("<Location /semguard-status>", active)
        self.assertIn("Require local", active)
        dropin = self.read(f"{share}/systemd/apache2.service.d/semguard.conf")
        self.assertIn("ExecStopPost=-/usr/local/sbin/semguardctl cleanup --adopt report \\\n"
                      "    --ledger /var/run/apache2/semguard-7b5269209b0e7d80.ledger\n", dropin)
        self.assertTrue(filecmp.cmp(os.path.join(BUILD, "semguardctl"),
                                    self.staged("/usr/local/sbin/semguardctl"), shallow=False))
        self.assertNotIn("not built yet", r.stdout)

        self.make("uninstall")
        self.assertEqual(files_under(self.stage), set(), "uninstall left files behind")

    def test_rhel_layout_gets_its_conf_modules_d_file_and_the_httpd_drop_in(self):
        self.make("install", "LAYOUT=rhel", "PREFIX=/usr", "SYSTEMD_DROPIN=1")
        modconf = f"{self.sysconfdir}/conf.modules.d/10-semguard.conf"
        unitdir = "/etc/systemd/system/httpd.service.d"
        expected = {
            self.installed_module, modconf,
            "/usr/share/mod_semguard/semguard-alerts.yml",
            "/usr/share/mod_semguard/systemd/apache2.service.d/semguard.conf",
            "/usr/share/mod_semguard/systemd/httpd.service.d/semguard.conf",
            f"{unitdir}/semguard.conf",
        } | self.tool_files("/usr")
        self.assertEqual(files_under(self.stage), expected)
        loads = [line for line in self.read(modconf).splitlines() if line.startswith("LoadModule")]
        self.assertEqual(loads, [self.load_line])
        dropin = self.read(f"{unitdir}/semguard.conf")
        self.assertIn("ExecStopPost=-/usr/sbin/semguardctl cleanup --adopt report \\\n"
                      "    --ledger /run/httpd/semguard-b8f348eef33a982b.ledger\n", dropin)
        self.check_dropin_loads(dropin)
        self.check_rhel_file_passes_configtest(modconf)

        self.make("uninstall", "LAYOUT=rhel", "PREFIX=/usr")
        self.assertEqual(files_under(self.stage), set(), "uninstall left files behind")

    def check_dropin_loads(self, dropin):
        """systemd parses the drop-in, and the "-" keeps a missing semguardctl from failing."""
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            return
        units = os.path.join(self.tmp, "units")
        os.makedirs(os.path.join(units, "httpd.service.d"))
        with open(os.path.join(units, "httpd.service"), "w") as f:
            f.write("[Service]\nExecStart=/bin/true\n")

        def verify(text):
            with open(os.path.join(units, "httpd.service.d", "semguard.conf"), "w") as f:
                f.write(text)
            return subprocess.run([analyze, "verify", os.path.join(units, "httpd.service")],
                                  env=dict(os.environ, SYSTEMD_UNIT_PATH=units + ":"),
                                  capture_output=True, text=True, cwd=units)
        ok = verify(dropin)
        self.assertEqual((ok.returncode, ok.stderr), (0, ""))
        if not os.path.exists("/usr/sbin/semguardctl"):
            # Control: the same line without its "-" is refused, so systemd did read the file.
            bad = verify(dropin.replace("ExecStopPost=-/", "ExecStopPost=/"))
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("semguardctl is not executable", bad.stderr)

    def check_rhel_file_passes_configtest(self, modconf):
        """10-semguard.conf in a minimal httpd.conf that includes conf.modules.d, as RHEL's."""
        root = os.path.join(self.tmp, "rhel")
        os.makedirs(os.path.join(root, "run"))
        mods = self.libexecdir
        conf = os.path.join(root, "httpd.conf")
        with open(conf, "w") as f:
            f.write(f"ServerRoot {root}\nServerName localhost\nDefaultRuntimeDir {root}/run\n"
                    f"PidFile {root}/run/httpd.pid\nErrorLog {root}/error.log\n"
                    "Listen 127.0.0.1:8080\n"
                    f"LoadModule mpm_prefork_module {mods}/mod_mpm_prefork.so\n"
                    f"LoadModule authz_core_module {mods}/mod_authz_core.so\n"
                    f"LoadModule authz_host_module {mods}/mod_authz_host.so\n"
                    f"Include {self.staged(os.path.dirname(modconf))}/*.conf\n")
        self.assertEqual(lines(self.with_staged_module([APACHE2, "-t", "-f", conf])), ["Syntax OK"])
        r = self.with_staged_module([APACHE2, "-M", "-f", conf])
        self.assertIn(" semguard_module (shared)", r.stdout)

    def test_a2enmod_in_a_copy_of_etc_apache2_passes_configtest_with_no_warning(self):
        confdir = self.staged(self.sysconfdir)
        shutil.copytree(self.sysconfdir, confdir, symlinks=True)
        if [p for p in files_under(confdir) if "semguard" in p]:
            self.skipTest(f"{self.sysconfdir} already has semguard files")
        # The copy runs apart from the host's: its own run, lock and log folders and a2enmod
        # state, and a ServerName so that only the module could add a line to the output.
        for name in ("run", "lock", "log", "state"):
            os.makedirs(os.path.join(self.tmp, name))
        with open(os.path.join(confdir, "envvars"), "a") as f:
            for name, path in (("RUN_DIR", "run"), ("LOCK_DIR", "lock"), ("LOG_DIR", "log"),
                               ("PID_FILE", "run/pid")):
                f.write(f"export APACHE_{name}={self.tmp}/{path}\n")
        with open(os.path.join(confdir, "apache2.conf"), "a") as f:
            f.write("ServerName localhost\n")
        env = dict(os.environ, APACHE_CONFDIR=confdir, APACHE_STATE_DIRECTORY=f"{self.tmp}/state")
        before = files_under(self.stage)

        def configtest():
            return lines(self.with_staged_module([APACHECTL, "-t"], env))
        self.assertEqual(configtest(), ["Syntax OK"], "the copy must be clean before the module")

        self.make("install")
        self.assertTrue(os.path.isfile(f"{confdir}/mods-available/semguard.load"),
                        "the copy's mods-available was found")
        r = subprocess.run([A2ENMOD, "semguard"], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Enabling module semguard.", r.stdout)
        for ext in ("load", "conf"):
            self.assertEqual(os.readlink(f"{confdir}/mods-enabled/semguard.{ext}"),
                             f"../mods-available/semguard.{ext}")
        self.assertEqual(configtest(), ["Syntax OK"])
        modules = self.with_staged_module([APACHECTL, "-M"], env)
        self.assertIn(" semguard_module (shared)", modules.stdout)

        # Control: a .conf with its own LoadModule line (the old conf/semguard.conf) warns here.
        enabled_conf = f"{confdir}/mods-available/semguard.conf"
        with open(enabled_conf) as f:
            shipped = f.read()
        with open(enabled_conf, "a") as f:
            f.write(self.load_line + "\n")
        self.assertTrue([line for line in configtest() if "AH01574" in line])
        with open(enabled_conf, "w") as f:
            f.write(shipped)

        r = self.make("uninstall", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("run 'a2dismod semguard' first", r.stderr)
        self.assertTrue(os.path.isfile(self.staged(self.installed_module)), "refused: all kept")

        r = subprocess.run([A2DISMOD, "semguard"], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.make("uninstall")
        self.assertEqual(files_under(self.stage), before, "uninstall left files, or took some")
        self.assertEqual(configtest(), ["Syntax OK"])

    def test_the_layout_is_found_beside_apxs_sysconfdir(self):
        """RHEL's apxs says SYSCONFDIR=/etc/httpd/conf; conf.modules.d sits beside it. Without
        either folder the conf files go to SYSCONFDIR/extra (an httpd built from source)."""
        fake = os.path.join(self.tmp, "apxs")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\ncase "$2" in LIBEXECDIR) echo /usr/lib64/httpd/modules;;\n'
                    'SYSCONFDIR) echo /etc/httpd/conf;; esac\n')
        os.chmod(fake, 0o755)
        env = dict(os.environ, APXS=fake, DESTDIR=self.stage, BUILD=BUILD, PREFIX="/usr")
        env.pop("LAYOUT", None)

        def run(action):
            r = subprocess.run(["sh", os.path.join(PROJECT, "conf", "install.sh"), action],
                               env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return {p for p in files_under(self.stage) if not p.startswith("/usr/share/")}
        os.makedirs(self.staged("/etc/httpd/conf.modules.d"))
        modconf = "/etc/httpd/conf.modules.d/10-semguard.conf"
        tool = "/usr/sbin/semguardctl"
        self.assertEqual(run("install"), {"/usr/lib64/httpd/modules/mod_semguard.so", modconf, tool})
        self.assertIn("LoadModule semguard_module /usr/lib64/httpd/modules/mod_semguard.so\n",
                      self.read(modconf))
        self.assertEqual(run("uninstall"), set())

        os.rmdir(self.staged("/etc/httpd/conf.modules.d"))
        self.assertEqual(run("install"), {"/usr/lib64/httpd/modules/mod_semguard.so",
                                          "/etc/httpd/conf/extra/semguard.load",
                                          "/etc/httpd/conf/extra/semguard.conf", tool})
        self.assertEqual(run("uninstall"), set())
        self.assertEqual(files_under(self.stage), set())
