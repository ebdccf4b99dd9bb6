#!/bin/sh
# Builds the second test server: httpd 2.4.62 on APR 1.6.3 + APR-util 1.6.1 (the RHEL 8 family's
# APR, whose default process mutex is SysV semaphores), from the source archives in the stacks
# folder, into build/stack/. Also configures httpd 2.4.37 far enough to compile mod_semguard.c
# against its headers (tests/tools/check-2437-headers.sh).
#
# Cached: a stamp written as the very last step marks a finished build; without it (missing, or
# an interrupted build) everything under build/stack* is removed and built again.
#
#   SEMGUARD_STACKS   the archives' folder (default: ../shared/stacks beside the project root)
# Exit status: 0 built or cached, 2 archives missing (the caller reports a skip), 1 failed.
set -eu
cd "$(dirname "$0")/../.."
project=$(pwd)
stacks=${SEMGUARD_STACKS:-$project/../shared/stacks}
prefix=$project/build/stack
headers2437=$project/build/stack-2437
stamp=$prefix/.built

# The stamp names the archives and the prefix: a moved project or other archives mean a rebuild,
# since the prefix is compiled into httpd and apxs.
archives="apr-1.6.3.tar.gz apr-util-1.6.1.tar.gz httpd-2.4.62.tar.gz httpd-2.4.37.tar.gz"
for a in $archives; do
    if [ ! -r "$stacks/$a" ]; then
        echo "stack archives missing: $stacks/$a (set SEMGUARD_STACKS to their folder)" >&2
        exit 2
    fi
done
# shellcheck disable=SC2086
want="prefix=$prefix $(cd "$stacks" && cksum $archives | awk '{printf "%s:%s ", $3, $1}')"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

for tool in gcc make tar; do
    command -v "$tool" >/dev/null || { echo "build-stack: $tool is missing" >&2; exit 1; }
done

echo "building httpd 2.4.62 on APR 1.6.3 into $prefix (about 7 minutes on 2 cores)"
started=$(date +%s)
rm -rf "$prefix" "$headers2437"
# The sources unpack outside build/: their *.d files (DTrace scripts) are no make dependency
# files, and the Makefile includes every build/**/*.d.
work=$(mktemp -d "${TMPDIR:-/tmp}/semguard-stack.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$project/build"
log=$project/build/stack-build.log
: >"$log"
jobs=${SEMGUARD_STACK_JOBS:-2}

step() {  # step NAME COMMAND...: runs quietly into the log, shows the log's tail on failure
    echo "  $1"
    shift
    if ! "$@" >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "build-stack: failed, full log in $log" >&2
        exit 1
    fi
}

for a in $archives; do
    tar -xzf "$stacks/$a" -C "$work"
done

cd "$work/apr-1.6.3"
step "APR 1.6.3: configure" ./configure --prefix="$prefix"
# What makes this stack the interesting one; a configure that chose otherwise is no use here.
grep -Eq '^#define APR_USE_SYSVSEM_SERIALIZE +1' include/apr.h || {
    echo "build-stack: APR 1.6.3 did not choose SysV semaphores as its default mutex" >&2
    exit 1
}
step "APR 1.6.3: make" make -j"$jobs"
step "APR 1.6.3: install" make install

cd "$work/apr-util-1.6.1"
step "APR-util 1.6.1: configure" ./configure --prefix="$prefix" --with-apr="$prefix"
step "APR-util 1.6.1: make" make -j"$jobs"
step "APR-util 1.6.1: install" make install

# httpd 2.4.37 (RHEL 8's version): only configured, for its headers and ap_config_auto.h
# (first: a few seconds, where the 2.4.62 build takes minutes). Its configure wants libpcre3's
# pcre-config: 2.4.37 predates PCRE2 support.
cd "$work/httpd-2.4.37"
step "httpd 2.4.37: configure (headers only)" ./configure --prefix="$headers2437" \
    --with-apr="$prefix" --with-apr-util="$prefix" --enable-mpms-shared=all
step "httpd 2.4.37: install headers" make install-include

# The modules the integration tests load (tests/tools/servers.py), as shared modules.
modules="ssl socache_shmcb status unixd authz_core authz_host mime dir alias cgi log_config"
cd "$work/httpd-2.4.62"
step "httpd 2.4.62: configure" ./configure --prefix="$prefix" --with-apr="$prefix" \
    --with-apr-util="$prefix" --enable-mpms-shared=all --enable-mods-shared="$modules"
step "httpd 2.4.62: make" make -j"$jobs"
step "httpd 2.4.62: install" make install


cd "$project"
mv "$log" "$prefix/build.log"
echo "$want" >"$stamp"
echo "stack built in $(( $(date +%s) - started )) s"
