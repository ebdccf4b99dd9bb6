#!/bin/sh
# Compiles mod_semguard.c against httpd 2.4.37's headers (RHEL 8's version) on APR 1.6.3, with
# the module's own warnings and -Werror; syntax only, since no 2.4.37 server is built.
# Needs tests/tools/build-stack.sh to have run (it configures 2.4.37 for its headers).
set -eu
cd "$(dirname "$0")/../.."
headers=build/stack-2437/include
apxs=build/stack/bin/apxs
for f in "$headers/httpd.h" "$headers/ap_config_auto.h" "$apxs"; do
    [ -e "$f" ] || { echo "missing $f: run tests/tools/build-stack.sh" >&2; exit 1; }
done
if ! grep -Eq 'AP_SERVER_MINORVERSION_NUMBER +4$' "$headers/ap_release.h" ||
    ! grep -Eq 'AP_SERVER_PATCHLEVEL_NUMBER +37$' "$headers/ap_release.h"; then
    echo "$headers is not httpd 2.4.37's" >&2
    exit 1
fi
apr_includes=$($("$apxs" -q APR_CONFIG) --includes --cppflags)
# shellcheck disable=SC2046,SC2086
gcc -fsyntax-only $("$apxs" -q CFLAGS) $("$apxs" -q EXTRA_CPPFLAGS) -I"$headers" $apr_includes -Isrc/include \
    -Wall -Wextra -Werror -Wno-unused-parameter mod_semguard.c
echo "mod_semguard.c compiles against httpd 2.4.37's headers with -Werror"
