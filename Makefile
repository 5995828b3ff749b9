# umss build.  `make` builds build/umss; `make demo` and `make check` also
# install the Debian packages the build needs (scripts/deps.sh).
# SAN=1 builds the host side (tracer, trace library, commands, tests) with
# ASan and UBSan into build-san/.

SAN ?=
ifeq ($(SAN),1)
BUILD := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD := build
SANFLAGS :=
endif

CC ?= cc
OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS := $(OPT) -g -std=gnu11 $(WARN) $(SANFLAGS) -D_GNU_SOURCE -Iinclude -I.
LDFLAGS := $(SANFLAGS)
ZYDIS_LIBS := -lZydis
# libelf, libzstd and zlib are linked in (their .a files come with the -dev
# packages): each shared library costs every umss run its loading, ~50 µs
# here (exec to main: 0.16 ms less with the three of them static).  Zydis
# ships no .a.
HOST_LIBS := $(ZYDIS_LIBS) -Wl,-Bstatic -lelf -lzstd -lz -Wl,-Bdynamic
# umss itself is a static program: no dynamic loader at start-up (~0.4 ms
# per run here, a fifth of a short trace).  Zydis, which has no .a, is
# loaded with dlopen when needed (tracer/zydis_lib.c; glibc's link-time
# warning about dlopen in a static program is expected: the library and
# its libc are the ones on this machine).  The sanitizer build stays
# dynamic (ASan needs it).
ZYDIS_SONAME := $(shell objdump -p $$($(CC) -print-file-name=libZydis.so) 2>/dev/null | awk '/SONAME/ { print $$2 }')
CFLAGS += $(if $(ZYDIS_SONAME),-DUMSS_ZYDIS_SONAME='"$(ZYDIS_SONAME)"')
ifeq ($(SAN),1)
UMSS_LINK := -Wl,-Bstatic -lelf -lzstd -lz -Wl,-Bdynamic -ldl
else
UMSS_LINK := -static-pie -lelf -lzstd -lz
endif

# Host-side parts, one folder each (docs: ../shared/STYLE.md layout).
TRACEFMT_SRCS := $(wildcard tracefmt/*.c)
TRACER_SRCS := $(wildcard tracer/*.c)
CLI_SRCS := $(wildcard cli/*.c)
DECODER_SRCS := $(wildcard decoder/*.c)

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

TRACE_LIB := $(BUILD)/libumsstrace.a
DECODER_LIB := $(BUILD)/libumssdecoder.a
UMSS := $(BUILD)/umss

.PHONY: all deps demo check test bench clean fuzz
all: $(UMSS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(TRACE_LIB): $(call objs,$(TRACEFMT_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(DECODER_LIB): $(call objs,$(DECODER_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(UMSS): $(call objs,$(CLI_SRCS) $(TRACER_SRCS)) $(TRACE_LIB) $(if $(DECODER_SRCS),$(DECODER_LIB))
	$(CC) $(LDFLAGS) -o $@ $^ $(UMSS_LINK)

# Each part may add its own targets (test programs, tools, benchmarks).
-include decoder/decoder.mk
-include agent/agent.mk
-include tests/tests.mk
-include bench/bench.mk
-include tracefmt/tracefmt.mk

deps:
	@scripts/deps.sh

demo: deps
	$(MAKE) all
	@scripts/demo.sh $(UMSS)

check: deps
	$(MAKE) all test-progs
	@tests/run $(BUILD)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
