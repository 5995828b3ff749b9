# `make bench`: umss against native execution, the ptrace baseline and the
# tracers a user could pick instead (bench/run.py; results in
# docs/PERFORMANCE.md).  `make bench BENCH=quick` is a shorter smoke run
# (two small workloads, fewer repetitions) that writes its report to
# $(BUILD)/bench/PERFORMANCE.md so it never replaces the committed one.
BENCH ?= full
BENCH_DIR := $(BUILD)/bench
# Iterations of the assembly loop (4 instructions each, plus 5): the small
# one is the smallest workload (gdb steps it), the large one is for the fast
# engines.  run.py gets the same numbers to check umss' counts.
BENCH_LOOP_SMALL := 12500
BENCH_LOOP_LARGE := 1250000
ifeq ($(BENCH),quick)
BENCH_OUT ?= $(BENCH_DIR)/PERFORMANCE.md
else
BENCH_OUT ?= docs/PERFORMANCE.md
endif

BENCH_PROGS := $(BENCH_DIR)/loop-small $(BENCH_DIR)/loop-large \
	$(BENCH_DIR)/probe $(BENCH_DIR)/kernel $(BENCH_DIR)/measure

BENCH_ASM = $(CC) -nostdlib -static -no-pie -Wa,--noexecstack

$(BENCH_DIR)/loop-small: bench/workloads/loop.S bench/bench.mk
	@mkdir -p $(dir $@)
	$(BENCH_ASM) -DITERS=$(BENCH_LOOP_SMALL) -o $@ $<

$(BENCH_DIR)/loop-large: bench/workloads/loop.S bench/bench.mk
	@mkdir -p $(dir $@)
	$(BENCH_ASM) -DITERS=$(BENCH_LOOP_LARGE) -o $@ $<

# The engine probe: one loop iteration, 9 instructions, exit 0.
$(BENCH_DIR)/probe: bench/workloads/loop.S bench/bench.mk
	@mkdir -p $(dir $@)
	$(BENCH_ASM) -DITERS=1 -o $@ $<

# Built like the test programs: what gets traced is never sanitized.
$(BENCH_DIR)/kernel: bench/workloads/kernel.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

# The measuring helper (measure.c says why it is static and small).
$(BENCH_DIR)/measure: bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) $(OPT) -static $(WARN) -std=gnu11 -D_GNU_SOURCE -o $@ $<

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS)

# `all` also builds $(BUILD)/decoder-bench (decoder/decoder.mk); the report
# includes its output, or says "decoder bench not built" when it is absent.
bench: deps all $(BENCH_PROGS)
	@bench/setup.sh
	/usr/bin/python3 -B bench/run.py --mode=$(BENCH) --build=$(BUILD) \
		--umss=$(UMSS) --loop-iters=$(BENCH_LOOP_SMALL),$(BENCH_LOOP_LARGE) \
		--decoder-bench=$(BUILD)/decoder-bench --out=$(BENCH_OUT)
