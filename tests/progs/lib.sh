# shellcheck shell=bash
# Shared by tests/cases/{exact,c,real,trace}-*.sh (sourced, never run).
# Environment from tests/run: UMSS, BUILD, PROGS, WORK.  Each helper fails
# the test on the first wrong value with a line that says what differed.
#
# Files left in $WORK for a tag T: T.out T.err T.status (the run's stdout,
# stderr, exit status), T.trace (traced runs), T.stats (`umss stats`).

set -u

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ -n "${UMSS:-}" ] && [ -x "$UMSS" ] || fail "umss not built (UMSS=${UMSS:-unset})"
[ -n "${WORK:-}" ] && [ -d "$WORK" ] || fail "no scratch directory (WORK=${WORK:-unset})"
[ -n "${PROGS:-}" ] || fail "PROGS unset"

# run_native TAG PROG ARGS...: run PROG as is.
run_native() {
	local tag=$1
	shift
	"$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err" </dev/null
	echo $? >"$WORK/$tag.status"
}

# run_traced TAG PROG ARGS...: `umss trace -q -o WORK/TAG.trace -- PROG ARGS`
# (engine $TRACE_ENGINE, by default ptrace, the ground truth), and log how
# long it took.
run_traced() {
	local tag=$1 start=$SECONDS
	shift
	"$UMSS" trace -q --engine="${TRACE_ENGINE:-ptrace}" -o "$WORK/$tag.trace" -- "$@" \
		>"$WORK/$tag.out" 2>"$WORK/$tag.err" </dev/null
	echo $? >"$WORK/$tag.status"
	echo "traced $tag (${TRACE_ENGINE:-ptrace}) in $((SECONDS - start))s: exit $(cat "$WORK/$tag.status")" >&2
}

status_of() {
	cat "$WORK/$1.status"
}

# expect_status TAG WANT
expect_status() {
	local got
	got=$(status_of "$1")
	[ "$got" = "$2" ] || fail "$1: exit status $got, expected $2; its stderr: $(head -c 600 "$WORK/$1.err")"
}

# same_output A B: stdout, stderr and exit status of runs A and B are equal.
same_output() {
	local a=$1 b=$2 s
	for s in out err; do
		cmp -s "$WORK/$a.$s" "$WORK/$b.$s" || {
			diff -u "$WORK/$a.$s" "$WORK/$b.$s" | head -n 30 >&2
			fail "std$s of $b differs from $a (diff above)"
		}
	done
	[ "$(status_of "$a")" = "$(status_of "$b")" ] ||
		fail "exit status of $b is $(status_of "$b"), $a's is $(status_of "$a"); $b's stderr: $(head -c 600 "$WORK/$b.err")"
}

# count_of TAG: prints the instruction count of WORK/TAG.trace (the first
# line of `umss stats` must be `instructions: N`).
count_of() {
	local tag=$1 first
	"$UMSS" stats "$WORK/$tag.trace" >"$WORK/$tag.stats" 2>"$WORK/$tag.stats.err" ||
		fail "umss stats $tag.trace exit $?: $(head -c 600 "$WORK/$tag.stats.err")"
	first=$(head -n 1 "$WORK/$tag.stats")
	case $first in
	"instructions: "[0-9]*) ;;
	*) fail "umss stats $tag.trace: first line is '$first', expected 'instructions: N'" ;;
	esac
	echo "${first#instructions: }"
}

# same_trace A B: `umss diff` finds the traces of A and B identical (exit 0)
# and `umss stats` gives both the same count.
same_trace() {
	local a=$1 b=$2 rc ca cb
	"$UMSS" diff "$WORK/$a.trace" "$WORK/$b.trace" >"$WORK/diff.out" 2>&1
	rc=$?
	[ $rc = 0 ] || { head -n 30 "$WORK/diff.out" >&2; fail "umss diff $a.trace $b.trace: exit $rc, expected 0 (identical runs)"; }
	ca=$(count_of "$a") || exit 1
	cb=$(count_of "$b") || exit 1
	[ "$ca" = "$cb" ] || fail "counts differ: $a $ca, $b $cb"
	echo "$a and $b: identical traces, $ca instructions" >&2
}

# check_exact NAME COUNT STATUS: the no-libc program tests/progs/asm/NAME.S
# states COUNT and STATUS in its header; natively it exits STATUS; traced it
# exits STATUS with the native stdout and stderr, and `umss stats` counts
# exactly COUNT instructions.
check_exact() {
	local name=$1 want=$2 status=$3 src stated got
	src=tests/progs/asm/$name.S
	[ -f "$src" ] || fail "$src missing"
	stated=$(sed -n 's/.*expect-instructions: *\([0-9]*\).*/\1/p' "$src")
	[ "$stated" = "$want" ] || fail "$src states $stated instructions, the test expects $want"
	stated=$(sed -n 's/.*expect-status: *\([0-9]*\).*/\1/p' "$src")
	[ "$stated" = "$status" ] || fail "$src states status $stated, the test expects $status"
	[ -x "$PROGS/$name" ] || fail "$PROGS/$name not built"
	run_native native "$PROGS/$name"
	expect_status native "$status"
	run_traced traced "$PROGS/$name"
	expect_status traced "$status"
	same_output native traced
	got=$(count_of traced) || exit 1
	if [ "$got" != "$want" ]; then
		[ "$got" -lt 300 ] && "$UMSS" show "$WORK/traced.trace" 2>&1 | grep -v '^# .* map ' | cut -c1-150 >&2
		fail "$name: umss stats counts $got instructions, expected $want"
	fi
	echo "ok $name: $got instructions, exit $status" >&2
}

# check_same_twice TAG PROG ARGS...: native run, two traced runs; output and
# status equal native; the two traces identical with the same count.
check_same_twice() {
	local tag=$1
	shift
	run_native "$tag.native" "$@"
	run_traced "$tag.1" "$@"
	same_output "$tag.native" "$tag.1"
	run_traced "$tag.2" "$@"
	same_output "$tag.native" "$tag.2"
	same_trace "$tag.1" "$tag.2"
}

# three_engines NAME PROG ARGS...: PROG natively (ASLR off, the environment
# umss gives it: bash sets `_` to the command it runs) and under engines
# ptrace, patch and displaced into WORK/NAME.ENGINE.{trace,out,err}:
# stdout, stderr and exit status equal native under each, and the user-mode
# engines' traces identical to ptrace's (`umss diff`) with the same SIGNAL
# events (not with THREE_ENGINES_TRACES=no: for programs that print or
# parse what differs, like their VmSize).  Prints the fallback counts.
three_engines() {
	local name=$1 engine nrc rc
	shift
	env _="$UMSS" setarch -R "$@" >"$WORK/$name.native.out" 2>"$WORK/$name.native.err" </dev/null
	nrc=$?
	for engine in ptrace patch displaced; do
		"$UMSS" trace -o "$WORK/$name.$engine.trace" --engine=$engine -- "$@" \
			>"$WORK/$name.$engine.out" 2>"$WORK/$name.$engine.err" </dev/null
		rc=$?
		[ "$rc" = "$nrc" ] || fail "$name: $engine exit $rc, native $nrc: $(grep '^umss' "$WORK/$name.$engine.err" | head -3)"
		cmp -s "$WORK/$name.native.out" "$WORK/$name.$engine.out" ||
			fail "$name: $engine output differs from native: $(diff "$WORK/$name.native.out" "$WORK/$name.$engine.out" | head -8)"
		# The program's stderr: umss's own lines are its summary.
		[ "$(grep -v '^umss: ' "$WORK/$name.$engine.err")" = "$(cat "$WORK/$name.native.err")" ] ||
			fail "$name: $engine stderr differs from native: $(diff "$WORK/$name.native.err" <(grep -v '^umss: ' "$WORK/$name.$engine.err") | head -8)"
	done
	for engine in patch displaced; do
		[ "${THREE_ENGINES_TRACES:-yes}" = no ] && break
		"$UMSS" diff "$WORK/$name.ptrace.trace" "$WORK/$name.$engine.trace" >"$WORK/diff.out" 2>&1 ||
			fail "$name: $engine trace differs from ptrace's: $(head -20 "$WORK/diff.out")"
		[ "$(signal_events "$WORK/$name.ptrace.trace")" = "$(signal_events "$WORK/$name.$engine.trace")" ] ||
			fail "$name: $engine SIGNAL events differ from ptrace's"
	done
	# The memory map as the trace saw it (code pages the agent made
	# writable must not show), whatever the instructions were.
	for engine in patch displaced; do
		[ "$(map_events "$WORK/$name.ptrace.trace")" = "$(map_events "$WORK/$name.$engine.trace")" ] ||
			fail "$name: $engine MAP events differ from ptrace's: $(diff <(map_events "$WORK/$name.ptrace.trace") <(map_events "$WORK/$name.$engine.trace") | head -6)"
	done
	local traces=identical
	[ "${THREE_ENGINES_TRACES:-yes}" = no ] && traces="not compared (MAP events equal)"
	echo "ok $name: native output and status under 3 engines, traces $traces;" \
		"patch $(tail -1 "$WORK/$name.patch.err" | grep -o '[0-9]* fallbacks')," \
		"displaced $(tail -1 "$WORK/$name.displaced.err" | grep -o '[0-9]* fallbacks')"
}

map_events() {
	"$UMSS" show "$1" | grep '^# pid [0-9]*: \(map\|unmap\) ' | sed 's/^# pid [0-9]*//'
}

signal_events() {
	"$UMSS" show "$1" | grep '^# tid [0-9]*: signal' | sed 's/^# tid [0-9]*//'
}
