#!/bin/sh
# Truncated at every byte, randomly damaged, foreign, empty and
# other-version files give the right events and codes.
exec "$PROGS/tracefmt_damage"
