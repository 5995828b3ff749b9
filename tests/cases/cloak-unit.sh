#!/bin/sh
# common/cloak.h and common/cloak_maps.h on their own (tests/unit/cloak_decisions.c).
exec "$PROGS/cloak_decisions"
