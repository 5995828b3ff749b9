#!/bin/bash
# posix_spawn (clone with CLONE_VM | CLONE_VFORK) of busybox sh with its
# stdout dup2'ed into a pipe (tests/progs/c/spawn.c): output and status
# equal native; two traces identical.
. tests/progs/lib.sh
[ -x /bin/busybox ] || skip "/bin/busybox missing (Debian package busybox-static)"
check_same_twice spawn "$PROGS/spawn"
expect_status spawn.native 0
grep -qx 'processes: 2' "$WORK/spawn.1.stats" ||
	fail "umss stats does not say 'processes: 2': $(grep '^processes' "$WORK/spawn.1.stats")"
