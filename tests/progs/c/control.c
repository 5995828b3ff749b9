/*
 * Every kind of control transfer a C compiler emits, each checked by its
 * result: direct calls, calls through function pointers (a table and a
 * struct of "methods"), a dense switch compiled to a jump table, computed
 * goto, recursion, sibling (tail) calls compiled to jumps, setjmp/longjmp
 * across frames, and a libc callback (qsort's comparator).  The output is
 * deterministic; the exit status is 0 when every result is right.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

static void
check(const char *what, long got, long want)
{
	printf("%-10s %ld\n", what, got);
	if (got != want) {
		printf("  wrong: expected %ld\n", want);
		failures++;
	}
}

static __attribute__((noinline)) int
add1(int x)
{
	return x + 1;
}

static __attribute__((noinline)) int
twice(int x)
{
	return x * 2;
}

static __attribute__((noinline)) int
negate(int x)
{
	return -x;
}

/* volatile so that the compiler cannot turn the calls into direct ones */
static int (*volatile ops[])(int) = { add1, twice, negate };

struct shape {
	int (*area)(const struct shape *);
	int w, h;
};

static int
rect_area(const struct shape *s)
{
	return s->w * s->h;
}

static int
tri_area(const struct shape *s)
{
	return s->w * s->h / 2;
}

/* Ten cases with different bodies: gcc emits an indirect jump through a
 * table (a lookup table would be used if the bodies were constants). */
static __attribute__((noinline)) long
dispatch(int op, long acc, long x)
{
	switch (op) {
	case 0: acc += x; break;
	case 1: acc -= x; break;
	case 2: acc *= x; break;
	case 3: acc ^= x << 3; break;
	case 4: acc |= x; break;
	case 5: acc &= ~x; break;
	case 6: acc += add1((int)x); break;
	case 7: acc = acc * 3 + x; break;
	case 8: acc >>= 1; break;
	case 9: acc += twice((int)x); break;
	default: acc = -1; break;
	}
	return acc;
}

static long
computed_goto(const int *prog, int n)
{
	static void *const labels[] = { &&op_inc, &&op_dbl, &&op_dec };
	long v = 1;
	int i = 0;

	if (n == 0)
		return v;
	goto *labels[prog[i]];
op_inc:
	v += 1;
	goto next;
op_dbl:
	v *= 2;
	goto next;
op_dec:
	v -= 1;
next:
	if (++i < n)
		goto *labels[prog[i]];
	return v;
}

static __attribute__((noinline)) long
fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* Built with sibling-call optimisation so that these calls become jumps
 * (at -O1, the test programs' level, gcc keeps them as calls). */
static __attribute__((noinline, optimize("optimize-sibling-calls"))) int is_odd(unsigned n);

static __attribute__((noinline, optimize("optimize-sibling-calls"))) int
is_even(unsigned n)
{
	if (n == 0)
		return 1;
	return is_odd(n - 1);
}

static __attribute__((noinline, optimize("optimize-sibling-calls"))) int
is_odd(unsigned n)
{
	if (n == 0)
		return 0;
	return is_even(n - 1);
}

static jmp_buf jump_back;
static volatile int jump_set;

static __attribute__((noinline)) void
dive(int depth)
{
	if (depth > 0)
		dive(depth - 1);
	else if (jump_set)
		longjmp(jump_back, 42);
	printf("not reached at depth %d\n", depth);
}

static int
by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int
main(void)
{
	int i, x = 5;
	long acc = 7;
	struct shape shapes[] = { { rect_area, 3, 4 }, { tri_area, 6, 5 } };
	const int prog[] = { 0, 1, 1, 2, 1, 0 };	/* ((1+1)*2*2-1)*2+1 = 15 */
	int v[] = { 9, 3, 7, 1, 8, 2, 6, 0, 5, 4 };
	volatile int jumped;

	for (i = 0; i < 3; i++)
		x = ops[i](x);
	check("fnptr", x, -12);
	check("method", shapes[0].area(&shapes[0]) + shapes[1].area(&shapes[1]), 27);
	for (i = 0; i < 10; i++)
		acc = dispatch(i, acc, i + 2);
	/* 7 +2 -3 *4 ^40 |6 &~7 +9 *3+9 >>1 +22 */
	check("switch", acc, 112);
	check("default", dispatch(10, 0, 0), -1);
	check("goto", computed_goto(prog, 6), 15);
	check("fib", fib(15), 610);
	check("tailcall", is_even(1001) * 10 + is_odd(1001), 1);
	jumped = 0;
	jump_set = 1;
	if ((i = setjmp(jump_back)) == 0)
		dive(20);
	else
		jumped = i;
	check("longjmp", jumped, 42);
	qsort(v, 10, sizeof v[0], by_value);
	for (i = 0, acc = 0; i < 10; i++)
		acc = acc * 10 + v[i];
	check("qsort", acc, 123456789);
	printf("%s\n", failures ? "FAILED" : "all right");
	return failures ? 1 : 0;
}
