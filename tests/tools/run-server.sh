#!/bin/sh
# `make run`: a real apache2 with mod_semguard on 127.0.0.1, in the foreground until Ctrl-C.
set -eu
cd "$(dirname "$0")/../.."
exec python3 tests/tools/serve.py "$@"
