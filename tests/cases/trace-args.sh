#!/bin/bash
# The program gets exactly its arguments (spaces, empty, glob and shell
# characters, a newline, non-ASCII bytes, a leading dash, 300 of them) and
# exactly the caller's environment (nothing added such as LD_PRELOAD,
# nothing removed), as natively.  `env -u _` keeps bash's $_ (the path of
# the command it runs) out of both environments.
. tests/progs/lib.sh
bb=/bin/busybox
[ -x "$bb" ] || skip "$bb missing (Debian package busybox-static)"
args=("a b" "" '*' '$HOME' "$(printf 'two\nlines')" "$(printf '\303\251\377')" -n --help "x=y")
for i in $(seq 300); do args+=("arg$i"); done
env -u _ "$bb" printf '[%s]\n' "${args[@]}" >"$WORK/args.native" 2>&1
env -u _ "$UMSS" trace -q -o "$WORK/args.trace" -- "$bb" printf '[%s]\n' "${args[@]}" >"$WORK/args.traced" 2>&1
rc=$?
[ $rc = 0 ] || fail "busybox printf under umss: exit $rc: $(head -c 300 "$WORK/args.traced")"
cmp -s "$WORK/args.native" "$WORK/args.traced" || {
	diff "$WORK/args.native" "$WORK/args.traced" | head -n 20 >&2
	fail "arguments differ under umss (diff above)"
}
[ "$(wc -l <"$WORK/args.traced")" = 310 ] || fail "expected 310 output lines, got $(wc -l <"$WORK/args.traced")"

export UMSS_TEST_VAR='value with spaces' UMSS_TEST_EMPTY=
env -u _ "$bb" env >"$WORK/env.native" 2>&1
env -u _ "$UMSS" trace -q -o "$WORK/env.trace" -- "$bb" env >"$WORK/env.traced" 2>&1
rc=$?
[ $rc = 0 ] || fail "busybox env under umss: exit $rc"
cmp -s "$WORK/env.native" "$WORK/env.traced" || {
	diff "$WORK/env.native" "$WORK/env.traced" | head -n 20 >&2
	fail "environment differs under umss (diff above)"
}
grep -qx 'UMSS_TEST_VAR=value with spaces' "$WORK/env.traced" || fail "UMSS_TEST_VAR missing under umss"
grep -qx 'UMSS_TEST_EMPTY=' "$WORK/env.traced" || fail "UMSS_TEST_EMPTY missing under umss"
