#!/bin/sh
# The trace reader's fuzz target over its seed corpus and 20 s of fuzzing
# (a smoke run; `make fuzz-trace` builds it with clang's libFuzzer).
fuzz="$BUILD/fuzz/fuzz_trace_reader"
[ -x "$fuzz" ] || { echo "no $fuzz (make fuzz-trace)"; exit 77; }
mkdir -p "$WORK/corpus"
"$fuzz" -runs=0 tests/fuzz/corpus/* >"$WORK/replay.log" 2>&1 || { cat "$WORK/replay.log"; exit 1; }
exec "$fuzz" -max_total_time=20 -timeout=30 -rss_limit_mb=2048 \
	-artifact_prefix="$WORK/" "$WORK/corpus" tests/fuzz/corpus
