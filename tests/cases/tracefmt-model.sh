#!/bin/sh
# Random writer call sequences (fork, exec, exit, threads, replaced code,
# signals, flushes) read back exactly as a model predicts.
exec "$PROGS/tracefmt_model"
