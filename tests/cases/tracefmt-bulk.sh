#!/bin/sh
# umss_writer_insns writes exactly what umss_writer_insn does, one by one.
exec "$PROGS/tracefmt_bulk"
