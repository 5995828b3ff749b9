#!/bin/sh
# The decoder's hard corners (tests/unit/decoder_corners.c), the
# length-and-class path against the full decoder (tests/unit/decoder_lc.c,
# exhaustive over prefixes, maps, opcodes and ModRM) and what this CPU
# really does (tests/unit/decoder_cpu.c, skipped on non-AMD CPUs).
set -u
"$PROGS/decoder_corners" || exit 1
"$PROGS/decoder_lc" || exit 1
"$PROGS/decoder_cpu"
