#!/bin/bash
# umss trace's errors: a missing program (127), a directory, a file without
# execute permission, an executable text file without #! (not run through
# /bin/sh), an empty file, a truncated ELF, a 32-bit and a foreign ELF
# (126), a script whose interpreter is missing (127, as bash), each with
# one line naming the program; PATH is searched (and the cwd only when
# PATH names it); a #! script works; no program or an
# unknown option exits 2; an unwritable -o is a clear error and the
# program does not run; an existing umss.trace is kept as umss.trace.old.
. tests/progs/lib.sh
cd "$WORK" || fail "cd $WORK"
bb=/bin/busybox

# expect_error STATUS WORD PROG ARGS...: umss trace fails with STATUS and a
# single stderr line containing WORD (the program's name).
expect_error() {
	local want=$1 word=$2 rc lines
	shift 2
	"$UMSS" trace -q -o "$WORK/err.trace" -- "$@" >out 2>err </dev/null
	rc=$?
	[ $rc = "$want" ] || fail "umss trace -- $*: exit $rc, expected $want; stderr: $(cat err)"
	lines=$(wc -l <err)
	[ "$lines" = 1 ] || fail "umss trace -- $*: $lines lines on stderr, expected one: $(cat err)"
	grep -qF -- "$word" err || fail "umss trace -- $*: message does not name $word: $(cat err)"
	[ -s out ] && fail "umss trace -- $*: wrote to stdout: $(head -c 300 out)"
	echo "ok exit $rc: $(cat err)" >&2
}

expect_error 127 /nonexistent/prog /nonexistent/prog
expect_error 127 no-such-program-umss no-such-program-umss
mkdir adir
expect_error 126 ./adir ./adir
printf 'hello\n' >noexec
expect_error 126 ./noexec ./noexec

# execvp would run this through /bin/sh (ENOEXEC fallback) and create ran.
printf 'echo ran >ran\n' >noshebang
chmod +x noshebang
expect_error 126 ./noshebang ./noshebang
[ -e ran ] && fail "the text file without #! was run by a shell"
: >empty
chmod +x empty
expect_error 126 ./empty ./empty
head -c 100 /bin/true >truncated
chmod +x truncated
expect_error 126 ./truncated ./truncated

# A 32-bit x86 ELF (this kernel would run it natively; umss refuses it).
if printf '.globl _start\n_start: mov $1, %%eax\n xor %%ebx, %%ebx\n int $0x80\n' >x32.s &&
	as --32 -o x32.o x32.s 2>as.err && ld -m elf_i386 -o x32 x32.o 2>ld.err; then
	expect_error 126 ./x32 ./x32
else
	echo "note: no 32-bit ELF could be built: $(cat as.err ld.err)" >&2
fi
# A foreign ELF: /bin/true with e_machine (offset 18) set to AArch64 (183).
cp /bin/true arm64 && printf '\267\000' | dd of=arm64 bs=1 seek=18 conv=notrunc 2>/dev/null
expect_error 126 ./arm64 ./arm64

printf '#!/nonexistent/interpreter\necho ran >ran\n' >badinterp
chmod +x badinterp
expect_error 127 ./badinterp ./badinterp

# PATH search as execvp does it, but never the current directory unless
# PATH names it: found through PATH (42); present only in the cwd (127).
mkdir pathdir && cp "$PROGS/exit42" pathdir/ || fail "cp exit42"
PATH="$WORK/pathdir:$PATH" "$UMSS" trace -q -o path.trace -- exit42 >out 2>err
rc=$?
[ $rc = 42 ] || fail "exit42 found through PATH: exit $rc, expected 42: $(cat err)"
(cd pathdir && exec "$UMSS" trace -q -o ../path.trace -- exit42) >out 2>err
rc=$?
[ $rc = 127 ] || fail "exit42 only in the cwd, not in PATH: exit $rc, expected 127: $(cat err)"
grep -q exit42 err || fail "not-found message does not name exit42: $(cat err)"

# A #! script runs (through busybox sh, which is traced), with its arguments.
if [ -x "$bb" ]; then
	printf '#!%s sh\necho "script got $*"\nexit 4\n' "$bb" >script
	chmod +x script
	"$UMSS" trace -q -o script.trace -- ./script one two >out 2>err
	rc=$?
	[ $rc = 4 ] || fail "#! script: exit $rc, expected 4: $(cat err)"
	[ "$(cat out)" = "script got one two" ] || fail "#! script printed '$(cat out)'"
	[ -s err ] && fail "#! script: stderr '$(cat err)'"
	n=$("$UMSS" stats script.trace | sed -n '1s/^instructions: //p')
	[ "${n:-0}" -gt 1000 ] || fail "#! script: trace has '${n}' instructions"
fi

# Usage errors: exit 2, a message, nothing run.
"$UMSS" trace >out 2>err
rc=$?
[ $rc = 2 ] || fail "umss trace with no program: exit $rc, expected 2"
[ -s err ] || fail "umss trace with no program: no message"
"$UMSS" trace -- >out 2>err
rc=$?
[ $rc = 2 ] || fail "umss trace -- (no program): exit $rc, expected 2"
"$UMSS" trace --no-such-flag -- "$PROGS/exit42" >out 2>err
rc=$?
[ $rc = 2 ] || fail "umss trace --no-such-flag: exit $rc, expected 2"
grep -q -- --no-such-flag err || fail "unknown option message does not name it: $(cat err)"
"$UMSS" trace --engine=no-such-engine -- "$PROGS/exit42" >out 2>err
rc=$?
[ $rc = 2 ] || fail "umss trace --engine=no-such-engine: exit $rc, expected 2"

# -o where nothing can be written: nonzero, one clear line, program not run.
for bad in /nonexistent-dir/x.trace "$WORK/adir" /proc/version; do
	rm -f ran
	"$UMSS" trace -q -o "$bad" -- "$bb" touch "$WORK/ran" >out 2>err
	rc=$?
	[ $rc != 0 ] || fail "umss trace -o $bad: exit 0"
	[ "$(wc -l <err)" = 1 ] || fail "umss trace -o $bad: expected one line, got: $(cat err)"
	grep -qF -- "$bad" err || fail "umss trace -o $bad: message does not name the file: $(cat err)"
	[ -e ran ] && fail "umss trace -o $bad ran the program although it could not write the trace"
	echo "ok -o $bad: exit $rc: $(cat err)" >&2
done

# The default trace file is ./umss.trace; an existing one becomes umss.trace.old.
mkdir fresh && cd fresh || fail "mkdir"
"$UMSS" trace -q -- "$PROGS/exit42"
[ $? = 42 ] || fail "exit42 under umss (default output)"
[ -f umss.trace ] || fail "no ./umss.trace written by default"
[ -e umss.trace.old ] && fail "umss.trace.old exists after the first run"
cp umss.trace first.trace
"$UMSS" trace -q -- "$PROGS/write" >/dev/null
[ $? = 0 ] || fail "write under umss (default output)"
cmp -s first.trace umss.trace.old || fail "umss.trace.old is not the previous umss.trace"
[ "$("$UMSS" stats umss.trace.old | head -n 1)" = "instructions: 3" ] || fail "umss.trace.old is not exit42's trace"
[ "$("$UMSS" stats umss.trace | head -n 1)" = "instructions: 10" ] || fail "umss.trace is not write's trace"
