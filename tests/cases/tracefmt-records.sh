#!/bin/sh
# Hand-made records in valid chunks: each malformed one is CORRUPT exactly
# where it starts, well-formed ones give exactly their events.
exec "$PROGS/tracefmt_records"
