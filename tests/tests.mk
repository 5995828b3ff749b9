# Test programs, built into $(BUILD)/tests/ by `make test-progs`:
#   tests/progs/asm/NAME.S  no-libc static programs with known instruction
#                           counts -> $(BUILD)/tests/NAME
#   tests/progs/c/NAME.c    C programs (dynamic PIE, -O1, -pthread) ->
#                           $(BUILD)/tests/NAME
#   tests/unit/NAME.c       unit tests linked with the trace library, the
#                           decoder and the host libraries -> $(BUILD)/tests/NAME
# Test programs are never built with sanitizers: they are what gets traced.
ASM_PROGS := $(patsubst tests/progs/asm/%.S,$(BUILD)/tests/%,$(wildcard tests/progs/asm/*.S))
C_PROGS := $(patsubst tests/progs/c/%.c,$(BUILD)/tests/%,$(wildcard tests/progs/c/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))

.PHONY: test-progs
test-progs: $(ASM_PROGS) $(C_PROGS) $(UNIT_TESTS)

$(ASM_PROGS): $(BUILD)/tests/%: tests/progs/asm/%.S
	@mkdir -p $(dir $@)
	$(CC) -nostdlib -static -no-pie -Wa,--noexecstack -o $@ $<

$(C_PROGS): $(BUILD)/tests/%: tests/progs/c/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $<

$(UNIT_TESTS): $(BUILD)/tests/%: tests/unit/%.c $(TRACE_LIB) $(if $(DECODER_SRCS),$(DECODER_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)
