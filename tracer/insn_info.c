/* Instruction facts for the ptrace engine, from Zydis (its minimal mode
 * leaves out the prefix attributes the REP check needs), loaded on first
 * use (tracer/zydis_lib.h). */
#include "tracer/insn_info.h"

#include "tracer/zydis_lib.h"

static ZydisDecoder decoder;
static bool decoder_ready;

int
insn_info_decode(const uint8_t *bytes, size_t avail, struct insn_info *info)
{
	ZydisDecodedInstruction insn;
	const struct zydis_lib *z = zydis_lib();

	if (!z)
		return -1;
	if (!decoder_ready) {
		z->DecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		decoder_ready = true;
	}
	if (!ZYAN_SUCCESS(z->DecoderDecodeInstruction(&decoder, NULL, bytes, avail, &insn)))
		return -1;
	info->len = insn.length;
	info->syscall = insn.mnemonic == ZYDIS_MNEMONIC_SYSCALL;
	/* A REP prefix only repeats string instructions (SDM vol. 2B, REP). */
	info->rep_string = (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
					       ZYDIS_ATTRIB_HAS_REPNE)) != 0;
	switch (insn.mnemonic) {
	case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: case ZYDIS_MNEMONIC_PUSHFQ:
		info->flags_op = INSN_PUSHF;
		break;
	case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ:
		info->flags_op = INSN_POPF;
		break;
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
		info->flags_op = INSN_IRET;
		break;
	default:
		info->flags_op = INSN_FLAGS_NONE;
	}
	info->op_size = insn.operand_width / 8;
	return 0;
}

bool
insn_info_ready(void)
{
	return zydis_lib() != NULL;
}
