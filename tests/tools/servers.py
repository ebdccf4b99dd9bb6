"""The httpd servers the harness can run, described by what differs between them, and the one the
environment picks: SEMGUARD_SERVER=debian (the default) or apr16. Nothing in the harness names a
binary, a module folder or a user; it asks the description chosen here.

  debian  Debian's apache2 package (APR 1.7: the tests set `Mutex sysvsem default`)
  apr16   httpd 2.4.62 on APR 1.6.3, built by tests/tools/build-stack.sh into build/stack/;
          APR 1.6 picks SysV semaphores by default, so its config has no Mutex line at all
"""
import grp
import os
import pwd
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(PROJECT, "build")
STACK = os.path.join(BUILD, "stack")


class Server:
    def __init__(self, name, binary, modules, apxs, build, user, group, mutex, mime_types,
                 load_first=()):
        self.name = name
        self.binary = binary          # the httpd executable
        self.modules = modules        # where its mod_*.so are
        self.apxs = apxs              # the apxs that builds modules for it
        self.build = build            # where mod_semguard.so for this server is built
        self.user, self.group = user, group  # the stock User/Group
        self.mutex = mutex            # the `Mutex ... default` mechanism the tests set, or None
        self.mime_types = mime_types
        self.load_first = load_first  # shared modules this build needs that Debian has built in

    @property
    def uid(self):
        return pwd.getpwnam(self.user).pw_uid

    @property
    def gid(self):
        return grp.getgrnam(self.group).gr_gid

    @property
    def module(self):
        return os.path.join(self.build, "mod_semguard.so")

    @property
    def test_module(self):
        return os.path.join(self.build, "mod_semguard_testhooks.so")

    def version(self):
        """`httpd -V`'s output, e.g. to read the server version and the default mutex."""
        return subprocess.run([self.binary, "-V"], capture_output=True, text=True,
                              timeout=30).stdout


SERVERS = {
    "debian": Server(
        "debian", binary="/usr/sbin/apache2", modules="/usr/lib/apache2/modules",
        apxs="/usr/bin/apxs", build=BUILD, user="www-data", group="www-data", mutex="sysvsem",
        mime_types="/etc/mime.types"),
    "apr16": Server(
        "apr16", binary=os.path.join(STACK, "bin", "httpd"),
        modules=os.path.join(STACK, "modules"), apxs=os.path.join(STACK, "bin", "apxs"),
        build=os.path.join(BUILD, "apr16"), user="daemon", group="daemon", mutex=None,
        mime_types=os.path.join(STACK, "conf", "mime.types"),
        load_first=("unixd", "log_config")),
}


def current():
    name = os.environ.get("SEMGUARD_SERVER", "debian")
    if name not in SERVERS:
        raise SystemExit(f"SEMGUARD_SERVER={name!r}: not one of {', '.join(SERVERS)}")
    return SERVERS[name]
