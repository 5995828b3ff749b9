/*
 * Engine displaced, linked stubs (agent/displaced_link.h).
 *
 * A linkable exit loads its slot: 0 sends it the slow way, to disp_exit
 * with d_link = the slot, so that disp_exit (or C behind it) can link the
 * slot to the successor; else it jumps to the address in the slot, the
 * successor's linked entry.  That entry does what disp_exit would have
 * done for the predecessor (d_cur): append it to the trace ring, make
 * itself d_cur, and falls into its stub.  It takes the slow way too, as
 * if the predecessor had exited normally, when C wants control at the
 * next instruction boundary (d_go = 0: a signal queued, AC set) or the
 * ring has no room left before its limit or end (d_room = 0).  All of it
 * without the arithmetic flags (jrcxz, lea), so nothing of the program's
 * state but rax and rcx is touched, and both are put back.
 *
 * A linked jump skips the successor's byte compare: only code that
 * changes through system calls the agent sees is linked (agent/
 * displaced.c code_stable), and every link into a range is undone when
 * the program changes its map there (links_forget_targets).  The slots
 * are data (8-aligned words, read once per exit): linking or unlinking
 * never rewrites an instruction another thread may be running.
 */
#include "agent/displaced_link.h"

struct link_record {
	uint64_t slot;    /* the slot's address */
	uint64_t target;  /* the instruction its stub copies */
};

static struct link_record *links;
static uint64_t n_links, max_links;

static void
gs_jmp(struct sb *b, uint32_t off)
{
	static const uint8_t jmp[] = { 0x65, 0xff, 0x24, 0x25 };
	put(b, jmp, 4);
	put32(b, off);
}

static void
bytes(struct sb *b, const uint8_t *v, unsigned n)
{
	put(b, v, n);
}

static void
link_exit_emit(struct sb *b, uint64_t next, uint64_t slot)
{
	static const uint8_t jrcxz_jmp_rcx[] = { 0xe3, 0x02, 0xff, 0xe1 };
	static const uint8_t mov_rip_rcx[] = { 0x48, 0x8b, 0x0d };
	gs_rcx(b, 0x89, AS_D_RCX);
	bytes(b, mov_rip_rcx, 3);
	put32(b, (uint32_t)(int32_t)((int64_t)slot - (int64_t)(uint64_t)(b->p + 4)));
	bytes(b, jrcxz_jmp_rcx, 4);
	/* slot 0: the way every exit goes, saying which slot to link */
	gs_rcx(b, 0x8b, AS_D_RCX);
	gs_rax(b, 0x89, AS_D_RAX);
	movabs_rax(b, slot);
	gs_rax(b, 0x89, AS_D_LINK);
	movabs_rax(b, next);
	gs_jmp(b, AS_D_EXIT);
}

static void
link_header_emit(struct sb *b, uint64_t at)
{
	/* The slow way from the entry: as if the predecessor had exited
	 * with next = at (disp_exit records it, finds this stub). */
	uint8_t *slow = b->p;
	gs_rcx(b, 0x8b, AS_D_RCX);
	gs_rax(b, 0x89, AS_D_RAX);
	movabs_rax(b, at);
	gs_jmp(b, AS_D_EXIT);
	/* The linked entry (rcx saved by the predecessor's exit). */
	static const uint8_t dec_rcx[] = { 0x48, 0x8d, 0x49, 0xff };
	static const uint8_t store_rax_at_rcx[] = { 0x48, 0x89, 0x01 };
	static const uint8_t add8_rcx[] = { 0x48, 0x8d, 0x49, 0x08 };
	static const uint8_t inc_rcx[] = { 0x48, 0x8d, 0x49, 0x01 };
	static const uint8_t store_rcx_at_rax[] = { 0x48, 0x89, 0x08 };
	gs_rcx(b, 0x8b, AS_D_GO);
	put8(b, 0xe3);
	put8(b, (uint8_t)(int8_t)(slow - (b->p + 1)));
	gs_rcx(b, 0x8b, AS_D_ROOM);
	put8(b, 0xe3);
	put8(b, (uint8_t)(int8_t)(slow - (b->p + 1)));
	bytes(b, dec_rcx, 4);
	gs_rcx(b, 0x89, AS_D_ROOM);
	gs_rax(b, 0x89, AS_D_RAX);
	/* ring word = d_cur, then head + 1 published (agent/ring.h) */
	gs_rcx(b, 0x8b, AS_D_PTR);
	gs_rax(b, 0x8b, AS_D_CUR);
	bytes(b, store_rax_at_rcx, 3);
	bytes(b, add8_rcx, 4);
	gs_rcx(b, 0x89, AS_D_PTR);
	gs_rcx(b, 0x8b, AS_RING_HEAD);
	bytes(b, inc_rcx, 4);
	gs_rcx(b, 0x89, AS_RING_HEAD);
	gs_rax(b, 0x8b, AS_RING_HDR);
	bytes(b, store_rcx_at_rax, 3);
	movabs_rax(b, at);
	gs_rax(b, 0x89, AS_D_CUR);
	gs_rax(b, 0x8b, AS_D_RAX);
	gs_rcx(b, 0x8b, AS_D_RCX);
}

/*
 * The code above is the same for every stub but for a few fields: it is
 * written once into templates, with marker values where the fields go,
 * then copied and the fields patched: writing it byte by byte was an
 * eighth of the agent's time for code that runs once.
 */
#define MARK_A 0x5a5a5a5a5a5a5a01ull
#define MARK_B 0x5a5a5a5a5a5a5a02ull
static uint8_t exit_template[LINK_EXIT_LEN];
static uint8_t header_template[LINK_SLOW_LEN + LINK_ENTRY_LEN];
static unsigned exit_slot_disp, exit_slot_imm, exit_next_imm; /* offsets in exit_template */
static unsigned header_at_imm[2];                              /* in header_template */

/* Offsets of the 8-byte value v in t[0, n), up to max of them. */
static unsigned
find64(const uint8_t *t, unsigned n, uint64_t v, unsigned *at, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i + 8 <= n && k < max; i++)
		if (!memcmp(t + i, &v, 8))
			at[k++] = i;
	return k;
}

static void
templates(void)
{
	static int done;
	if (done)
		return;
	/* The slot's rel32 comes out of the emitter as slot - (p + 4) with
	 * p = its offset + the template's address. */
	struct sb b = { exit_template };
	link_exit_emit(&b, MARK_B, MARK_A);
	find64(exit_template, LINK_EXIT_LEN, MARK_A, &exit_slot_imm, 1);
	find64(exit_template, LINK_EXIT_LEN, MARK_B, &exit_next_imm, 1);
	exit_slot_disp = 12; /* after 9 bytes of mov %rcx,%gs and the 3 of mov d(%rip),%rcx */
	b.p = header_template;
	link_header_emit(&b, MARK_A);
	find64(header_template, sizeof header_template, MARK_A, header_at_imm, 2);
	done = 1;
}

static void
patch64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void
link_exit(struct sb *b, uint64_t next, uint64_t slot)
{
	templates();
	uint8_t *p = b->p;
	memcpy(p, exit_template, LINK_EXIT_LEN);
	int32_t rel = (int32_t)((int64_t)slot - (int64_t)(uint64_t)(p + exit_slot_disp + 4));
	memcpy(p + exit_slot_disp, &rel, 4);
	patch64(p + exit_slot_imm, slot);
	patch64(p + exit_next_imm, next);
	b->p = p + LINK_EXIT_LEN;
}

void
link_header(struct sb *b, uint64_t at, uint64_t *slots)
{
	templates();
	while ((uint64_t)b->p & 7)
		put8(b, 0xcc);
	*slots = (uint64_t)b->p;
	put64(b, 0);
	put64(b, 0);
	uint8_t *p = b->p;
	memcpy(p, header_template, sizeof header_template);
	patch64(p + header_at_imm[0], at);
	patch64(p + header_at_imm[1], at);
	b->p = p + sizeof header_template;
}

void
links_init(void *mem, uint64_t max)
{
	links = mem;
	max_links = max;
	n_links = 0;
}

void
link_set(uint64_t slot, uint64_t target, uint64_t entry)
{
	if (n_links == max_links)
		return;
	links[n_links].slot = slot;
	links[n_links].target = target;
	n_links++;
	*(volatile uint64_t *)slot = entry;
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
			*(volatile uint64_t *)links[i].slot = 0;
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
		uint64_t slot = links[i].slot, to = *(volatile uint64_t *)slot;
		if (slot >= lo && slot < hi) {
			drop(i);
		} else if (to >= lo && to < hi) {
			*(volatile uint64_t *)slot = 0;
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
