#!/bin/sh
# common/cloak.h on its own (tests/unit/cloak_status.c).
exec "$PROGS/cloak_status"
