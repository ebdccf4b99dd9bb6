#!/bin/sh
# `make install` and `make uninstall`: copy mod_semguard and its files where this httpd expects
# them, or take them away again. It never starts, stops, restarts or reloads anything, and never
# enables the module: a2enmod (Debian) or the conf.modules.d file (RHEL) does that.
#
# Usage: conf/install.sh install|uninstall
# Variables (from make or the environment):
#   APXS     apxs of the target httpd (apxs); its LIBEXECDIR gets the module, SYSCONFDIR the conf
#   DESTDIR  staging root, prepended to every path written (empty)
#   PREFIX   root of the tool, the man page and the examples (/usr/local)
#   LAYOUT   debian, rhel or plain (detected: mods-available, then conf.modules.d, then plain)
#   SYSTEMD_DROPIN=1  also put the stop drop-in into $SYSTEMD_DIR/<unit>.service.d
#   SYSTEMD_DIR       /etc/systemd/system
#   BUILD    the build folder (build)
set -eu

action=${1:-}
case "$action" in
    install | uninstall) ;;
    *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
project=$(dirname "$here")
APXS=${APXS:-apxs}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BUILD=${BUILD:-$project/build}
SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}
SYSTEMD_DROPIN=${SYSTEMD_DROPIN:-}

libexecdir=$("$APXS" -q LIBEXECDIR)
sysconfdir=$("$APXS" -q SYSCONFDIR)
if [ -z "$libexecdir" ] || [ -z "$sysconfdir" ]; then
    echo "install.sh: '$APXS -q LIBEXECDIR' or 'SYSCONFDIR' gave nothing" >&2
    exit 1
fi

# RHEL's apxs says /etc/httpd/conf; its conf.modules.d is beside conf/, under the ServerRoot.
case "$sysconfdir" in
    */conf) modconfdir=${sysconfdir%/conf}/conf.modules.d ;;
    *) modconfdir=$sysconfdir/conf.modules.d ;;
esac

# The layout of the target host (the staged tree when it has one, else this host).
exists_dir() { [ -d "$DESTDIR$1" ] || [ -d "$1" ]; }
if [ -z "${LAYOUT:-}" ]; then
    if exists_dir "$sysconfdir/mods-available"; then
        LAYOUT=debian
    elif exists_dir "$modconfdir"; then
        LAYOUT=rhel
    else
        LAYOUT=plain
    fi
fi

sbindir=$PREFIX/sbin
man1dir=$PREFIX/share/man/man1
datadir=$PREFIX/share/mod_semguard
case "$LAYOUT" in
    debian) unit=apache2 ;;
    rhel) unit=httpd ;;
    plain) unit=httpd ;;
    *) echo "install.sh: LAYOUT must be debian, rhel or plain, not '$LAYOUT'" >&2; exit 2 ;;
esac

# What goes where: "source destination mode", one a line. Sources under $staged are made here.
staged=$(mktemp -d "${TMPDIR:-/tmp}/semguard-install.XXXXXX")
trap 'rm -rf "$staged"' EXIT

load_line="LoadModule semguard_module $libexecdir/mod_semguard.so"
# The LoadModule line names apxs's module folder, whatever the checked-in file says.
with_load_path() {
    sed "s#^LoadModule semguard_module .*#$load_line#" "$1"
}
with_tool_path() {
    sed "s#/usr/local/sbin/semguardctl#$sbindir/semguardctl#" "$1"
}

plan() {
    echo "$BUILD/mod_semguard.so $libexecdir/mod_semguard.so 0644"
    case "$LAYOUT" in
        debian)
            with_load_path "$here/semguard.load" > "$staged/semguard.load"
            echo "$staged/semguard.load $sysconfdir/mods-available/semguard.load 0644"
            echo "$here/semguard.conf $sysconfdir/mods-available/semguard.conf 0644"
            ;;
        rhel)
            with_load_path "$here/10-semguard.conf" > "$staged/10-semguard.conf"
            echo "$staged/10-semguard.conf $modconfdir/10-semguard.conf 0644"
            ;;
        plain)
            with_load_path "$here/semguard.load" > "$staged/semguard.load"
            echo "$staged/semguard.load $sysconfdir/extra/semguard.load 0644"
            echo "$here/semguard.conf $sysconfdir/extra/semguard.conf 0644"
            ;;
    esac
    echo "$here/semguard-alerts.yml $datadir/semguard-alerts.yml 0644"
    for u in apache2 httpd; do
        with_tool_path "$here/systemd/$u.service.d/semguard.conf" > "$staged/$u-dropin.conf"
        echo "$staged/$u-dropin.conf $datadir/systemd/$u.service.d/semguard.conf 0644"
    done
    if [ -n "$SYSTEMD_DROPIN" ]; then
        echo "$staged/$unit-dropin.conf $SYSTEMD_DIR/$unit.service.d/semguard.conf 0644"
    fi
    # semguardctl and its man page: `make install` builds the tool first; run by hand before a
    # build, this script skips what is missing. Uninstall removes them either way.
    if [ -f "$BUILD/semguardctl" ] || [ "$action" = uninstall ]; then
        echo "$BUILD/semguardctl $sbindir/semguardctl 0755"
    fi
    if [ -f "$project/docs/semguardctl.1" ] || [ "$action" = uninstall ]; then
        echo "$project/docs/semguardctl.1 $man1dir/semguardctl.1 0644"
    fi
    # Uninstall looks in the drop-in's place whatever SYSTEMD_DROPIN says now.
    if [ -z "$SYSTEMD_DROPIN" ] && [ "$action" = uninstall ]; then
        echo "$staged/$unit-dropin.conf $SYSTEMD_DIR/$unit.service.d/semguard.conf 0644"
    fi
}

is_conf() {
    case "$1" in
        "$libexecdir"/* | "$sbindir"/* | "$man1dir"/* | "$datadir"/*) return 1 ;;
        *) return 0 ;;
    esac
}

do_install() {
    if [ ! -f "$BUILD/mod_semguard.so" ]; then
        echo "install.sh: $BUILD/mod_semguard.so is missing: run make first" >&2
        exit 1
    fi
    plan > "$staged/plan"
    while read -r src dst mode; do
        target=$DESTDIR$dst
        install -d "$(dirname "$target")"
        # An edited config file stays: the new one goes beside it as .new.
        if is_conf "$dst" && [ -f "$target" ] && ! cmp -s "$src" "$target"; then
            install -m "$mode" "$src" "$target.new"
            echo "  kept  $target (it differs; the new one is $target.new)"
            continue
        fi
        install -m "$mode" "$src" "$target"
        echo "  $target"
    done < "$staged/plan"
    [ -f "$BUILD/semguardctl" ] || echo "  (semguardctl not built yet: skipped)"
    [ -f "$project/docs/semguardctl.1" ] || echo "  (docs/semguardctl.1 is missing from this tree: skipped)"
    case "$LAYOUT" in
        debian) echo "next: a2enmod semguard, then stop and start apache2 when convenient" ;;
        rhel) echo "next: stop and start httpd when convenient; $modconfdir/10-semguard.conf loads it" ;;
        plain) echo "next: add 'Include $sysconfdir/extra/semguard.load' and" \
                    "'Include $sysconfdir/extra/semguard.conf' to httpd.conf, then stop and start" ;;
    esac
    if [ -n "$SYSTEMD_DROPIN" ]; then
        echo "then: systemctl daemon-reload (the $unit.service drop-in takes effect at its next stop)"
    fi
}

do_uninstall() {
    # Taking the files of an enabled module away would break the next start of apache2.
    enabled=$DESTDIR$sysconfdir/mods-enabled/semguard.load
    if [ "$LAYOUT" = debian ] && { [ -e "$enabled" ] || [ -L "$enabled" ]; }; then
        echo "install.sh: semguard is enabled ($enabled): run 'a2dismod semguard' first;" \
             "nothing was removed" >&2
        exit 1
    fi
    plan > "$staged/plan"
    while read -r src dst mode; do
        target=$DESTDIR$dst
        if is_conf "$dst" && [ -f "$target" ] && ! cmp -s "$src" "$target"; then
            echo "  kept  $target (you edited it)"
        elif [ -e "$target" ] || [ -L "$target" ]; then
            rm -f "$target"
            echo "  removed $target"
        fi
        if [ -e "$target.new" ]; then
            rm -f "$target.new"
            echo "  removed $target.new"
        fi
    done < "$staged/plan"
    for dir in "$datadir/systemd/apache2.service.d" "$datadir/systemd/httpd.service.d" \
               "$datadir/systemd" "$datadir" "$SYSTEMD_DIR/$unit.service.d"; do
        rmdir "$DESTDIR$dir" 2>/dev/null || true
    done
}

"do_$action"
