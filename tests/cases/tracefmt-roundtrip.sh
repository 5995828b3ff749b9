#!/bin/sh
# The trace library writes and reads back every event kind exactly.
exec "$PROGS/tracefmt_roundtrip"
