#!/bin/sh
# Differential check of the decoder against Zydis over real code: libc,
# libm, libstdc++, libpython, libsqlite3, bash, perl and libcrypto (which
# has AVX-512 code).  The full
# run over /usr/bin and /usr/lib is `build/decoder-check FILE...`
# (docs/DECODER.md).
set -u
libs=/usr/lib/x86_64-linux-gnu
files=""
for f in $libs/libc.so.6 $libs/libm.so.6 $libs/libstdc++.so.6 $libs/libcrypto.so.3 \
	$libs/libpython3.11.so.1.0 $libs/libsqlite3.so.0 /usr/bin/bash /usr/bin/perl; do
	[ -e "$f" ] && files="$files $f"
done
[ -n "$files" ] || { echo "no system libraries to check"; exit 77; }
out=$("$BUILD/decoder-check" $files)
printf '%s\n' "$out" | tail -n 20
last=$(printf '%s\n' "$out" | tail -n 1)
case $last in
"checked "*" instructions, 0 mismatches") exit 0 ;;
*) exit 1 ;;
esac
