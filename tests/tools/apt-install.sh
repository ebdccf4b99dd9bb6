#!/bin/sh
# apt-install.sh PACKAGE...: installs the named Debian/Ubuntu packages that are missing, as root,
# and starts no service while doing so. Packages such as apache2 or prometheus start their stock
# service from their install scripts; a policy-rc.d that answers 101 ("action forbidden") makes
# invoke-rc.d and deb-systemd-invoke skip those starts. It exists only for this apt-get run, and
# only when the host has none of its own (a host's own policy is left exactly as it is). Nothing
# that is already running is stopped, ever.
set -eu
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing packages:$missing" >&2
    echo "run this as root, or: sudo apt-get install$missing" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    trap 'rm -f "$policy"' EXIT INT TERM
    printf '#!/bin/sh\n# mod_semguard apt-install.sh: no service starts during its apt-get run\nexit 101\n' \
        >"$policy"
    chmod 0755 "$policy"
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
