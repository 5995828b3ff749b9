#!/bin/sh
# Installs the Debian packages umss builds, tests and demos with, when missing.
# Why each: Zydis disassembles for people and is the decoder's oracle;
# elfutils reads ELF files and symbols; zstd compresses traces; busybox-static,
# sqlite3 and python3 are real programs the tests trace; clang brings libFuzzer.
set -eu
pkgs="build-essential libzydis-dev libelf-dev libdw-dev libzstd-dev \
      busybox-static sqlite3 python3 gzip perl clang"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "umss: installing Debian packages:$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
