/*
 * Zydis, loaded when first needed (dlopen) rather than linked: umss is a
 * static program, whose start-up without the dynamic loader is ~0.4 ms
 * shorter on every run, and Zydis ships no static library.  The engines
 * patch and displaced never need it on their usual paths; the ptrace
 * engine (tracer/insn_info.c) and `umss show` (cli/disasm.c) do.
 */
#ifndef UMSS_TRACER_ZYDIS_LIB_H
#define UMSS_TRACER_ZYDIS_LIB_H

#include <Zydis/Zydis.h>

struct zydis_lib {
	__typeof__(ZydisDecoderInit) *DecoderInit;
	__typeof__(ZydisDecoderDecodeInstruction) *DecoderDecodeInstruction;
	__typeof__(ZydisDecoderDecodeFull) *DecoderDecodeFull;
	__typeof__(ZydisFormatterInit) *FormatterInit;
	__typeof__(ZydisFormatterSetProperty) *FormatterSetProperty;
	__typeof__(ZydisFormatterFormatInstruction) *FormatterFormatInstruction;
	__typeof__(ZydisCalcAbsoluteAddress) *CalcAbsoluteAddress;
};

/* The library's functions, loaded on the first call; NULL (after one line
 * on stderr, the first time) when it cannot be loaded. */
const struct zydis_lib *zydis_lib(void);

#endif
