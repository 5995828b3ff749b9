# Decoder tools and checks (included by the top Makefile).
#   build/decoder-check FILE...   differential check against Zydis over ELF files
#   build/decoder-fuzz [N [SEED]] differential check over random byte strings
#   build/decoder-bench [FILE...] ns per instruction, ours vs Zydis minimal mode
#   make bench-decoder            runs decoder-bench (markdown for make bench)
#   make decoder-freestanding     builds the decoder as the agent does and
#                                 checks the objects need nothing from outside
DECODER_TOOL_SRCS := tools/decoder_zydis.c
DECODER_TOOL_HDRS := tools/decoder_zydis.h decoder/x86_decode.h
DECODER_TOOLS := $(BUILD)/decoder-check $(BUILD)/decoder-fuzz $(BUILD)/decoder-bench

.PHONY: decoder-tools decoder-freestanding
decoder-tools: $(DECODER_TOOLS)
all: decoder-tools
test-progs: decoder-tools decoder-freestanding

$(BUILD)/decoder-check: tools/decoder_check.c $(call objs,$(DECODER_TOOL_SRCS)) $(DECODER_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ZYDIS_LIBS) -lelf

$(BUILD)/decoder-fuzz: tests/fuzz/decoder_fuzz.c $(call objs,$(DECODER_TOOL_SRCS)) $(DECODER_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ZYDIS_LIBS)

$(BUILD)/decoder-bench: tools/decoder_bench.c $(DECODER_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ZYDIS_LIBS) -lelf

# The agent's flags (DESIGN.md "Invariants"): the decoder must build with
# them and its objects must have no undefined symbol (no libc, no memcpy).
AGENT_CFLAGS := -O2 -g -std=gnu11 $(WARN) -ffreestanding -nostdlib -fPIE \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -Iinclude -I.
DECODER_FREE_OBJS := $(patsubst decoder/%.c,$(BUILD)/freestanding/decoder/%.o,$(DECODER_SRCS))

$(BUILD)/freestanding/decoder/%.o: decoder/%.c decoder/*.h decoder/*.inc
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CFLAGS) -c $< -o $@

# The objects are linked together first (ld -r) so that calls between
# them are not counted as undefined.
decoder-freestanding: $(DECODER_FREE_OBJS)
	@ld -r -o $(BUILD)/freestanding/decoder-all.o $(DECODER_FREE_OBJS); \
	undef=$$(nm -u $(BUILD)/freestanding/decoder-all.o || true); \
	if [ -n "$$undef" ]; then echo "decoder: undefined symbols in freestanding build:"; echo "$$undef"; exit 1; fi; \
	if objdump -d $(DECODER_FREE_OBJS) | grep -Eq '%[xyz]mm|%k[0-7]|%fs:'; then \
		echo "decoder: vector registers or %fs in freestanding build"; exit 1; fi; \
	echo "decoder: freestanding build has no undefined symbols"

# For `make bench` (bench/bench.mk): prints a markdown section with ns per
# instruction for our decoder and Zydis' minimal mode and their ratio.
.PHONY: bench-decoder
bench-decoder: $(BUILD)/decoder-bench
	@$(BUILD)/decoder-bench

# Coverage-guided differential fuzzing (libFuzzer, ASan, UBSan):
#   make fuzz-decoder && $(BUILD)/fuzz/fuzz_decoder -max_len=32
DECODER_FUZZ_CC ?= clang
DECODER_FUZZER := $(BUILD)/fuzz/fuzz_decoder
.PHONY: fuzz-decoder
fuzz-decoder: $(DECODER_FUZZER)
$(DECODER_FUZZER): tests/fuzz/fuzz_decoder.c tools/decoder_zydis.c $(DECODER_SRCS) decoder/*.h decoder/*.inc
	@mkdir -p $(dir $@)
	$(DECODER_FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -I. \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ tests/fuzz/fuzz_decoder.c tools/decoder_zydis.c $(DECODER_SRCS) $(ZYDIS_LIBS)
