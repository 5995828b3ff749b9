# The in-process agent (included by the top Makefile): freestanding,
# position-independent, linked into a flat image that build/umss carries
# (agent/blob.S).  Never built with sanitizers: it runs inside the program.
AGENT_DIR := $(BUILD)/agent
AGENT_SRCS := $(wildcard agent/*.c) $(DECODER_SRCS)
AGENT_ASM := agent/entry.S agent/displaced_entry.S
AGENT_OBJS := $(patsubst %.c,$(AGENT_DIR)/%.o,$(AGENT_SRCS)) $(patsubst %.S,$(AGENT_DIR)/%.o,$(AGENT_ASM))
AGENT_CC_FLAGS := -O2 -g -std=gnu11 $(WARN) -ffreestanding -nostdlib -fPIE \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector -fno-builtin \
	-fno-tree-loop-distribute-patterns -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-exceptions \
	-include agent/visibility.h -Iinclude -I.
AGENT_ELF := $(AGENT_DIR)/agent.elf
AGENT_BIN := $(AGENT_DIR)/agent.bin
AGENT_BLOB_OBJ := $(AGENT_DIR)/blob.o

# -MMD: an object depends on every header and generated table it includes
# (decoder/*.inc, common/*.h), found by the compiler.
$(AGENT_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CC_FLAGS) -MMD -MP -c $< -o $@

$(AGENT_DIR)/agent/%.o: agent/%.S
	@mkdir -p $(dir $@)
	$(CC) -Iinclude -I. -MMD -MP -c $< -o $@

-include $(AGENT_OBJS:.o=.d)

# The guardrails (STYLE.md): no undefined symbols, no DT_NEEDED, no
# interpreter, no TEXTREL, no relocations at all (the tracer copies the
# image as is), no vector registers and no %fs accesses.
$(AGENT_ELF): $(AGENT_OBJS) agent/agent.lds
	ld -pie --no-dynamic-linker --no-warn-rwx-segments -z noexecstack -z norelro --hash-style=gnu \
		-T agent/agent.lds -o $@.tmp $(AGENT_OBJS)
	@undef=$$(nm -u $@.tmp); if [ -n "$$undef" ]; then \
		echo "agent: undefined symbols:"; echo "$$undef"; rm -f $@.tmp; exit 1; fi
	@if readelf -d $@.tmp | grep -Eq 'NEEDED|TEXTREL'; then \
		echo "agent: DT_NEEDED or TEXTREL"; rm -f $@.tmp; exit 1; fi
	@if readelf -lW $@.tmp | grep -q INTERP; then \
		echo "agent: has an interpreter"; rm -f $@.tmp; exit 1; fi
	@if readelf -rW $@.tmp | grep -q '^ *[0-9a-f]\{16\} '; then \
		echo "agent: needs relocations:"; readelf -rW $@.tmp; rm -f $@.tmp; exit 1; fi
	@# From 64: the image header (agent/entry.S) is data, its offsets may
	@# disassemble as anything.
	@if objdump -d --start-address=64 $@.tmp | grep -Eq '%[xyz]mm|%k[0-7]|%fs:'; then \
		echo "agent: uses vector registers or %fs"; rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@

$(AGENT_BIN): $(AGENT_ELF)
	objcopy -O binary -j .text -j .rodata -j .data $< $@

$(AGENT_BLOB_OBJ): agent/blob.S $(AGENT_BIN)
	$(CC) -DAGENT_BIN='"$(AGENT_BIN)"' -c $< -o $@

$(UMSS): $(AGENT_BLOB_OBJ)
