#!/bin/sh
# Code replaced in place, fork/exec code maps, interleaved threads.
exec "$PROGS/tracefmt_semantics"
