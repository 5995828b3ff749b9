# Trace library extras (the library itself is built by the top Makefile):
#   make bench-trace   synthetic write/read speed and bytes per instruction
#   make fuzz-trace    libFuzzer target for the reader -> $(BUILD)/fuzz/fuzz_trace_reader
#                      (also built by test-progs when clang is there, for the
#                      smoke run of tests/cases/tracefmt-fuzz-corpus.sh)
#   make trace-corpus  regenerates the seed corpus in tests/fuzz/corpus/
.PHONY: bench-trace fuzz-trace trace-corpus

TRACEFMT_BENCH := $(BUILD)/tracefmt_bench
$(TRACEFMT_BENCH): tracefmt/bench/tracefmt_bench.c tests/unit/tracefmt_synth.h $(TRACE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TRACE_LIB) -lzstd

bench-trace: $(TRACEFMT_BENCH)
	$(TRACEFMT_BENCH) 20

# The fuzz target links the library's sources directly, instrumented.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
TRACE_FUZZER := $(BUILD)/fuzz/fuzz_trace_reader
$(TRACE_FUZZER): tests/fuzz/fuzz_trace_reader.c $(TRACEFMT_SRCS) $(wildcard tracefmt/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_trace_reader.c $(TRACEFMT_SRCS) -lzstd

fuzz-trace: $(TRACE_FUZZER)
test-progs: $(if $(shell command -v $(FUZZ_CC) 2>/dev/null),$(TRACE_FUZZER))

TRACE_CORPUS_GEN := $(BUILD)/tracefmt_corpus
$(TRACE_CORPUS_GEN): tests/fuzz/gen_trace_corpus.c $(TRACE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TRACE_LIB) -lzstd

trace-corpus: $(TRACE_CORPUS_GEN)
	$(TRACE_CORPUS_GEN) tests/fuzz/corpus
