#!/bin/sh
# Installs the Debian packages `make bench` compares umss with, when missing:
# valgrind (lackey and none), qemu-user (qemu-x86_64) and gdb.  A package
# that cannot be installed is not fatal: the runner shows its contender as
# "not available".
set -u
pkgs="valgrind qemu-user gdb"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "bench: installing Debian packages:$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	echo "bench: could not install:$missing (shown as not available)" >&2
exit 0
