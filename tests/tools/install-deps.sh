#!/bin/sh
# `make deps`: installs what building mod_semguard needs, and nothing else (the test tools come
# with `make test`: tests/tools/install-test-deps.sh). Starts and stops no service.
#   Debian/Ubuntu: apt (only what is missing)
#   RHEL/Rocky/Alma/Oracle/Fedora: dnf install httpd-devel apr-devel gcc-c++ make
#   elsewhere: names what building needs and stops
set -eu
cd "$(dirname "$0")/../.."
family=""
if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    family=$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")
fi
case " $family " in
*" debian "* | *" ubuntu "*)
    # apache2-dev gives apxs and the httpd headers; the APR headers come with it.
    exec sh tests/tools/apt-install.sh apache2-dev libapr1-dev libaprutil1-dev g++ make
    ;;
*" rhel "* | *" fedora "* | *" centos "* | *" rocky "* | *" almalinux "* | *" ol "*)
    packages="httpd-devel apr-devel gcc-c++ make"
    # shellcheck disable=SC2086
    rpm -q $packages >/dev/null 2>&1 && exit 0
    if [ "$(id -u)" != 0 ]; then
        echo "run 'make deps' as root, or: sudo dnf install -y $packages" >&2
        exit 1
    fi
    # shellcheck disable=SC2086
    exec dnf install -y $packages
    ;;
*)
    for tool in apxs g++ make; do
        command -v "$tool" >/dev/null 2>&1 || missing="${missing:-} $tool"
    done
    if [ -n "${missing:-}" ]; then
        echo "make deps knows apt (Debian/Ubuntu) and dnf (RHEL family) only." >&2
        echo "Building needs: apxs with httpd's and APR's headers, a C++17 g++, make;" >&2
        echo "missing here:$missing" >&2
        exit 1
    fi
    ;;
esac
