#!/bin/bash
# Engine displaced on real programs: the checks of tests/cases/patch-real.sh
# (ls -l, python3 with json, sqlite3, gzip -c, perl, static busybox and a
# busybox shell: output as native, fallbacks under 0.1%, busybox traces
# identical to ptrace's) under --engine=displaced.
REAL_ENGINE=displaced exec tests/cases/patch-real.sh
