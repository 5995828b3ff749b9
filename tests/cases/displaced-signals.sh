#!/bin/bash
# Engine displaced delivers signals to the program's handlers like engine
# patch (docs/AGENT.md "Signals", "Engine displaced"): the checks of
# tests/cases/agent-signals.sh (traces identical to the ptrace engine's,
# the frame byte for byte, restarts, 1000 SIGALRMs in a hot loop, python3
# with a handler) under --engine=displaced.
SIGNAL_ENGINE=displaced exec tests/cases/agent-signals.sh
