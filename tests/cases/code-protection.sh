#!/bin/bash
# Code pages keep the protection the program asked for (DESIGN.md
# "Invariants"; engine patch makes code mappings writable to patch them,
# agent/code_pages.c): stores into the program's own read-only code (the
# running function, one that ran, one that never ran; mov, rep stosb,
# lock add) fault as natively, SIGSEGV with the native si_code and
# si_addr (tests/progs/c/text_write_fault.c); /proc/self/maps shows the
# executable's and libc's mappings as natively after their code ran
# (text_maps.c; its traces differ, since the agent's own lines make the
# loop longer, but the MAP events are the same).  All three engines.
set -u
. tests/progs/lib.sh

three_engines text_write_fault "$PROGS/text_write_fault"
# patch: exactly the five faulting stores are stepped by the kernel.
grep -q ' 5 fallbacks' "$WORK/text_write_fault.patch.err" ||
	fail "text_write_fault: patch fallbacks: $(tail -1 "$WORK/text_write_fault.patch.err")"
grep -c 'SIGSEGV si_code 2' "$WORK/text_write_fault.native.out" | grep -qx 5 ||
	fail "text_write_fault: natively not 5 faults: $(cat "$WORK/text_write_fault.native.out")"
three_engines text_maps "$PROGS/text_maps"
grep -q 'r-xp .*/libc.so' "$WORK/text_maps.native.out" || fail "text_maps: no libc text line natively"
