/*
 * Engine displaced, linked exits (agent/displaced_link.h).
 *
 * A linked exit, after the instruction it follows:
 *
 *         nop (0-7 bytes: R below 8-aligned)
 *         mov  %rsp, %gs:AS_D_RSP
 *         mov  %gs:AS_STACK_TOP, %rsp
 *         call *%gs:AS_D_STEP           disp_step: ring append, d_cur = next
 *     R:  mov  %gs:AS_D_RSP, %rsp
 *         jmp  *slot(%rip)
 *         int3
 *     R+16: slot   the successor's stub, or disp_unlinked
 *     R+24: next   the successor's address
 *
 * disp_step (agent/displaced_entry.S) runs on the agent's stack, so the
 * program's stack and red zone are never touched, and returns through
 * the return stack buffer (a call and ret cost less than one mispredicted
 * indirect jump).  Nothing in the exit or in disp_step changes the
 * arithmetic flags.  disp_step leaves R in AS_D_LAST, which tells
 * disp_unlinked and C (agent/displaced.c link_last) which slot to link.
 *
 * Only exits to code that changes through system calls the agent sees
 * are linked (agent/displaced.c code_stable): a linked jump skips the
 * successor's byte compare.  Every link into a range is undone when the
 * program changes its map there (links_forget_targets).  Slots are
 * data, 8-aligned: linking or unlinking never rewrites an instruction
 * another thread may be running.
 */
#include "agent/displaced_link.h"

void disp_unlinked(void);

struct link_record {
	uint64_t *slot;
	uint64_t target;  /* the instruction the slot's stub copies */
};

static struct link_record *links;
static uint64_t n_links, max_links;

void
put_linked_exit(struct sb *b, uint64_t next)
{
	uint64_t ret = (uint64_t)b->p + 26;
	put_nop(b, (unsigned)(-ret & 7));
	gs_rsp(b, 0x89, AS_D_RSP);
	gs_rsp(b, 0x8b, AS_STACK_TOP);
	gs_branch(b, 0x14, AS_D_STEP);
	gs_rsp(b, 0x8b, AS_D_RSP);
	put8(b, 0xff);           /* jmp *1(%rip): the slot after the int3 */
	put8(b, 0x25);
	put32(b, 1);
	put8(b, 0xcc);
	put64(b, (uint64_t)disp_unlinked);
	put64(b, next);
}

void
put_indirect_exit(struct sb *b)
{
	gs_rsp(b, 0x89, AS_D_RSP);
	gs_rsp(b, 0x8b, AS_STACK_TOP);
	gs_branch(b, 0x14, AS_D_IND);
	gs_rsp(b, 0x8b, AS_D_RSP);
	gs_branch(b, 0x24, AS_D_TARGET);
}

int
link_unlinked(const uint64_t *slot)
{
	return *(const volatile uint64_t *)slot == (uint64_t)disp_unlinked;
}

void
links_init(void *mem, uint64_t max)
{
	links = mem;
	max_links = max;
	n_links = 0;
}

int
link_set(uint64_t *slot, uint64_t target, uint64_t stub)
{
	if (n_links == max_links)
		return 0;
	links[n_links].slot = slot;
	links[n_links].target = target;
	n_links++;
	*(volatile uint64_t *)slot = stub;
	return 1;
}

static void
drop(uint64_t i)
{
	links[i] = links[--n_links];
}

void
links_forget_targets(uint64_t lo, uint64_t hi)
{
	for (uint64_t i = 0; i < n_links;) {
		if (links[i].target >= lo && links[i].target < hi) {
			*(volatile uint64_t *)links[i].slot = (uint64_t)disp_unlinked;
			drop(i);
		} else {
			i++;
		}
	}
}

void
links_forget_arena(uint64_t lo, uint64_t hi)
{
	for (uint64_t i = 0; i < n_links;) {
		uint64_t slot = (uint64_t)links[i].slot;
		uint64_t to = *(volatile uint64_t *)slot;
		if (slot >= lo && slot < hi) {
			drop(i);
		} else if (to >= lo && to < hi) {
			*(volatile uint64_t *)slot = (uint64_t)disp_unlinked;
			drop(i);
		} else {
			i++;
		}
	}
}

void
links_reset(void)
{
	n_links = 0;
}
