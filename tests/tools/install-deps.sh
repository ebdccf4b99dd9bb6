#!/bin/sh
# Installs what building, running and testing mod_semguard needs, on Debian or Ubuntu.
# Installs only what is missing; as non-root it names what is missing and stops.
set -eu

# prometheus gives promtool (checks ?prometheus and the alert rules); the exporter checks that
# /server-status?auto still reads right; chromium loads the HTML page for a screenshot.
packages="apache2 apache2-dev libapr1-dev libaprutil1-dev libgtest-dev g++ make curl openssl
python3 util-linux procps prometheus prometheus-apache-exporter chromium wrk"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing packages:$missing" >&2
    echo "run 'make deps' as root, or: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Where an init system runs, the packages start their stock services; none of them is ours.
if command -v systemctl >/dev/null 2>&1; then
    for service in apache2 prometheus prometheus-apache-exporter; do
        systemctl is-active --quiet "$service" 2>/dev/null && systemctl stop "$service" || true
    done
fi
