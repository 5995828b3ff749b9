#!/bin/bash
# Changing code under the three engines (issue 6 item 4): a W^X JIT
# (mmap RW, write, mprotect RX, run, rewrite, run: tests/progs/c/
# jit_mprotect.c), a JIT rewriting a read-write-execute mapping in place
# (jit_rwx.c), code storing into the instruction right after itself
# (smc_next_insn.c), and code whose mapping is unmapped, replaced with
# MAP_FIXED, moved by mremap and made non-executable (code_remap.c, with
# the two faults' si_code/si_addr), and code mapped with MAP_FIXED where
# the user-mode engines keep their own pages (patch trampolines and
# displaced arenas, 1 MiB steps below the executable:
# map_over_trampoline.c), code rewritten through /proc/self/mem
# (jit_proc_mem.c), and a double-mapped JIT (a memfd mapped RW and
# RX, code written through one view and run through the other, reading
# its next instruction through the writable view: jit_dual_map.c; engine
# patch steps MAP_SHARED code in the kernel).  Each: output and status as native
# under ptrace, patch and displaced, traces identical to ptrace's with the
# same SIGNAL and MAP events; and every engine's trace carries each
# version's bytes at its address (`umss show`).
set -u
. tests/progs/lib.sh

# versions NAME 'DISASM' ...: in each engine's trace every given
# instruction text appears in anonymous (JIT) code, all at one address.
versions() {
	local name=$1 engine want addrs
	shift
	for engine in ptrace patch displaced; do
		"$UMSS" show "$WORK/$name.$engine.trace" >"$WORK/$name.$engine.show" || fail "$name: umss show"
		addrs=
		for want in "$@"; do
			grep -q " \[anon\]+.*  $want\$" "$WORK/$name.$engine.show" ||
				fail "$name: $engine trace has no '$want': $(grep -c . "$WORK/$name.$engine.show") lines"
			addrs="$addrs $(grep " \[anon\]+.*  $want\$" "$WORK/$name.$engine.show" | awk '{print $2}' | sort -u)"
		done
		[ "$(echo $addrs | tr ' ' '\n' | sort -u | wc -l)" = 1 ] ||
			fail "$name: $engine: the versions are not at one address:$addrs"
	done
	echo "ok $name: $# versions at one address in every engine's trace"
}

three_engines jit_mprotect "$PROGS/jit_mprotect"
versions jit_mprotect '8d 47 0a  *lea eax, \[rdi+0xa\]' '8d 47 14  *lea eax, \[rdi+0x14\]' \
	'8d 47 1e  *lea eax, \[rdi+0x1e\]' '8d 47 28  *lea eax, \[rdi+0x28\]' \
	'8d 47 32  *lea eax, \[rdi+0x32\]'
three_engines jit_rwx "$PROGS/jit_rwx"
versions jit_rwx 'b8 01 00 00 00  *mov eax, 0x1' 'b8 02 00 00 00  *mov eax, 0x2' \
	'b8 40 1f 00 00  *mov eax, 0x1f40'
versions jit_rwx '83 c0 05  *add eax, 0x5' '83 c0 07  *add eax, 0x7'
three_engines smc_next_insn "$PROGS/smc_next_insn"
versions smc_next_insn 'b8 0b 00 00 00  *mov eax, 0xb' 'b8 16 00 00 00  *mov eax, 0x16' \
	'b8 21 00 00 00  *mov eax, 0x21' 'b8 2c 00 00 00  *mov eax, 0x2c'
three_engines code_remap "$PROGS/code_remap"
versions code_remap 'b8 64 00 00 00  *mov eax, 0x64' 'b8 c8 00 00 00  *mov eax, 0xc8' \
	'b8 90 01 00 00  *mov eax, 0x190'
three_engines map_over_trampoline "$PROGS/map_over_trampoline"
three_engines jit_dual_map "$PROGS/jit_dual_map"
grep -q 'peek: c3$' "$WORK/jit_dual_map.native.out" || fail "jit_dual_map: native peek is not the ret"
# Code rewritten through /proc/self/mem in read-only private mappings
# (an anonymous r-x page four ways, then the program's own text): engine
# displaced skips its byte check there and must see these writes.
three_engines jit_proc_mem "$PROGS/jit_proc_mem"
versions jit_proc_mem 'b8 64 00 00 00  *mov eax, 0x64' 'b8 c8 00 00 00  *mov eax, 0xc8' \
	'b8 2c 01 00 00  *mov eax, 0x12c' 'b8 90 01 00 00  *mov eax, 0x190' 'b8 f4 01 00 00  *mov eax, 0x1f4'
grep -q 'target after: 24000$' "$WORK/jit_proc_mem.native.out" ||
	fail "jit_proc_mem: natively, target was not rewritten"
