"""`make run`: start a real httpd with mod_semguard on 127.0.0.1 and keep it until Ctrl-C.
The server is the one SEMGUARD_SERVER picks (tests/tools/servers.py), Debian's apache2 by default."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instance import SERVER, Instance, kernel_sets  # noqa: E402

# Under /tmp, not the build folder: the server's User must read htdocs even when the clone sits in
# root's 0700 home.
ROOT = os.environ.get("SEMGUARD_RUN_ROOT", "/tmp/mod_semguard-run")
PORT = int(os.environ.get("PORT", "8080"))
SSL_PORT = int(os.environ.get("SSL_PORT", "8443"))


def main():
    if os.geteuid() != 0:
        sys.exit(f"make run needs root: httpd switches to User {SERVER.user} "
                 "and mutex ownership needs it")
    if not os.path.exists(SERVER.module):
        sys.exit(f"{SERVER.module} is missing: build it with `make APXS={SERVER.apxs} "
                 f"BUILD={os.path.relpath(SERVER.build)} {os.path.relpath(SERVER.module)}`")
    inst = Instance(ROOT, port=PORT, ssl_port=SSL_PORT).create()
    if inst.parent_pid() and inst.processes():
        inst.stop()
    inst.start()
    mutex = f"Mutex {SERVER.mutex}" if SERVER.mutex else "no Mutex line: the default mechanism"
    ours = [s for s in kernel_sets().values() if s["cuid"] == 0 and s["key"] == 0]
    print(f"""
mod_semguard is running ({SERVER.binary} pid {inst.parent_pid()}, prefork, {mutex}, mod_ssl)
  http://127.0.0.1:{inst.port}/                 a static page
  https://127.0.0.1:{inst.ssl_port}/                the same over TLS (self-signed)
  http://127.0.0.1:{inst.port}/semguard-status  mod_semguard's page (?auto ?json ?prometheus)
  http://127.0.0.1:{inst.port}/server-status    mod_status, with a mod_semguard section
  ledger:     {inst.ledger_path()}
  error log:  {os.path.join(inst.root, 'logs', 'error.log')}
  config:     {inst.conf}
  {len(ours)} IPC_PRIVATE semaphore set(s) created by root in the kernel table now
Press Ctrl-C to stop the server cleanly.""", flush=True)
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    while not stopping and inst.parent_pid() and inst.processes():
        time.sleep(0.5)
    print("\nstopping httpd ...", flush=True)
    inst.stop()
    print("stopped.")


if __name__ == "__main__":
    main()
