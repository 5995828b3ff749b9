/* The agent's flat image, carried inside build/umss (tracer/inject.c maps
 * it into the program). */
	.section .rodata.agent, "a"
	.balign 64
	.globl agent_image
agent_image:
	.incbin AGENT_BIN
	.globl agent_image_end
agent_image_end:

	.section .note.GNU-stack, "", @progbits
