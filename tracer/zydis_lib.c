/* Zydis through dlopen; see zydis_lib.h. */
#include "tracer/zydis_lib.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>

/* The soname umss was built against (Makefile: from libZydis.so). */
#ifndef UMSS_ZYDIS_SONAME
#define UMSS_ZYDIS_SONAME "libZydis.so"
#endif

static bool
find(void *h, const char *name, void *slot)
{
	void *f = dlsym(h, name);
	if (!f) {
		fprintf(stderr, "umss: %s has no %s\n", UMSS_ZYDIS_SONAME, name);
		return false;
	}
	*(void **)slot = f;
	return true;
}

const struct zydis_lib *
zydis_lib(void)
{
	static struct zydis_lib lib;
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	if (state)
		return state > 0 ? &lib : NULL;
	state = -1;
	void *h = dlopen(UMSS_ZYDIS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "umss: cannot load the disassembler library: %s\n", dlerror());
		return NULL;
	}
	if (!find(h, "ZydisDecoderInit", &lib.DecoderInit) ||
	    !find(h, "ZydisDecoderDecodeInstruction", &lib.DecoderDecodeInstruction) ||
	    !find(h, "ZydisDecoderDecodeFull", &lib.DecoderDecodeFull) ||
	    !find(h, "ZydisFormatterInit", &lib.FormatterInit) ||
	    !find(h, "ZydisFormatterSetProperty", &lib.FormatterSetProperty) ||
	    !find(h, "ZydisFormatterFormatInstruction", &lib.FormatterFormatInstruction) ||
	    !find(h, "ZydisCalcAbsoluteAddress", &lib.CalcAbsoluteAddress))
		return NULL;
	state = 1;
	return &lib;
}
