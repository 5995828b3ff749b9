#!/bin/bash
# The agent survives what programs do to their environment (issue 6 item
# 5), under ptrace, patch and displaced: output and status as native,
# traces identical to ptrace's with the same SIGNAL and MAP events.
# - close_range(3, ~0U, 0) and a close() loop, dup2 of a file over every
#   descriptor 3..1023, both after and before vdso code ran (engine patch
#   writes the sealed vdso through /proc/self/mem: that descriptor is
#   closed before each of the program's system calls, agent/code_pages.c)
#   (env_close_all.c, env_dup2_all.c: the file stays as the program
#   wrote it);
# - every signal blocked, two pending, a fork, then handlers and an
#   unblock (env_sigmask_all.c); a program blocking every signal in a
#   vfork child (sigtrap_blocked_all.c); its own SIGTRAP handler for int3
#   (sigtrap_int3_handler.c, the int3s are stepped by the kernel);
# - prctl: PR_SET_DUMPABLE 0, PR_SET_NO_NEW_PRIVS, PR_SET_NAME,
#   PR_SET_PDEATHSIG, then fork + exec (env_prctl.c);
# - setrlimit NOFILE 16 (opens until EMFILE), STACK 1 MiB, AS = its size
#   + 64 MiB, CORE 0, running new code after each (env_rlimit.c: it reads
#   its VmSize, which the agent's mappings change, so only its output and
#   MAP events are compared);
# - the soft RLIMIT_NOFILE lowered to 3 (no descriptor free) and to 5,
#   then execve of echo: natively its loader fails with EMFILE (exit 127),
#   resp. echo prints; the new image's agent takes its ring descriptor
#   above the soft limit (env_nofile_exec.c).
set -u
. tests/progs/lib.sh

for name in env_close_all env_dup2_all env_sigmask_all env_prctl sigtrap_blocked_all; do
	three_engines $name "$PROGS/$name"
	for engine in patch displaced; do
		grep -q ' 0 fallbacks' "$WORK/$name.$engine.err" ||
			fail "$name: $engine fallbacks: $(tail -1 "$WORK/$name.$engine.err")"
	done
done
three_engines sigtrap_int3_handler "$PROGS/sigtrap_int3_handler"
THREE_ENGINES_TRACES=no three_engines env_rlimit "$PROGS/env_rlimit"
three_engines env_nofile_exec "$PROGS/env_nofile_exec"
grep -q 'Error 24' "$WORK/env_nofile_exec.native.err" || fail "env_nofile_exec: natively no EMFILE"
three_engines env_nofile_exec_5 "$PROGS/env_nofile_exec" 5
grep -q 'file size 27:' "$WORK/env_dup2_all.native.out" || fail "env_dup2_all: native output unexpected"
