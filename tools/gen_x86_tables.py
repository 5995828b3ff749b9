#!/usr/bin/env python3
"""Generates decoder/x86_tables.inc from the opcode lists decoder/opcodes_*.txt.

Run `python3 tools/gen_x86_tables.py` after editing an opcode list; the output
is committed so that the build needs no Python.  Each line of a list is one
instruction form; the decoder finds the forms of (map, opcode) through an
index and takes the first whose constraints (mandatory prefix, ModRM.mod,
ModRM.reg/rm, W, L) match.
"""
import os, re, sys

MAPS = {'1': 0, '0f': 1, '0f38': 2, '0f3a': 3, 'v1': 4, 'v2': 5, 'v3': 6,
        'e1': 7, 'e2': 8, 'e3': 9}
IMM = {'ib': 1, 'iw': 2, 'iz': 3, 'iv': 4, 'iwib': 5, 'moffs': 6, 'rel8': 7,
       'relz': 8, 'i8i8': 9}
CF = ['none', 'jcc', 'loop', 'jrcxz', 'jmp', 'call', 'jmp_ind', 'call_ind',
      'ret', 'far', 'iret', 'syscall', 'int', 'int3', 'int1', 'ud', 'priv',
      'xbegin', 'xabort', 'other']
TUPLE = ['none', 'fv', 'hv', 'fvm', 'hvm', 'qvm', 'ovm', 't1s', 't1f', 't2',
         't4', 't8', 'm128', 'dup']
# flags (uint16)
F = {'m': 0x1, 'nv': 0x2, 'lock': 0x4, 'd64': 0x8, 'f64': 0x10, 'er': 0x20,
     'sae': 0x40, 'stack': 0x80, 'string': 0x100, 'xsave': 0x200,
     'gather': 0x400, 'scatter': 0x800, 'x87': 0x1000, 'sse': 0x2000,
     'bt': 0x4000, 'xlat': 0x8000}
F2 = {'nomask': 0x1, 'noz': 0x2, 'kr': 0x4, 'km': 0x8, 'kv': 0x10, 'crdr': 0x20, 'kr_gpr': 0x40}
SZ = {'b': 1, 'w': 2, 'd': 4, 'q': 8, 'v': 0xff00, 'p': 0xff01, 'z': 0xff02, 'W': 0xff03,
      'half': 0xff04, 'quarter': 0xff05, 'eighth': 0xff06, 'vl': 0xff07}
ACC = {'r': 1, 'w': 2, 'rw': 3, 'n': 4}
PP = {'-': 1, '66': 2, 'f3': 4, 'f2': 8}


def parse(path):
    forms = []
    for lineno, line in enumerate(open(path), 1):
        line = line.split('#', 1)[0].split()
        if not line:
            continue
        mp, ops = line[0], line[1]
        lo, _, hi = ops.partition('-')
        lo = int(lo, 16)
        hi = int(hi, 16) if hi else lo
        m = MAPS[mp]
        f = dict(pp=0xf, mod=0, reg=0xff, rm=0xff, w=0, l=0xf, imm=0, flags=0,
                 cf=0, tuple=0, es=0, sz=0, acc=0, cmpx=0, flags2=0)
        if m != 0:
            f['flags'] |= F['m']
        if m >= 4:
            f['l'] = 0x3 if m < 7 else 0x7
        if m >= 7:
            f['acc'] = 0
        for a in line[2:]:
            k, eq, v = a.partition('=')
            if a == 'm':
                f['flags'] |= F['m']
            elif a == 'nm':
                f['flags'] &= ~F['m']
            elif a == 'mem':
                f['mod'] = 1
            elif a == 'reg':
                f['mod'] = 2
            elif k == 'r':
                f['reg'] = int(v); f['flags'] |= F['m']
            elif k == 'rm':
                f['rm'] = int(v); f['mod'] = 2; f['flags'] |= F['m']
            elif k == 'p':
                f['pp'] = sum(PP[x] for x in v.split(','))
            elif a in IMM:
                f['imm'] = IMM[a]
            elif a in ('w0', 'w1'):
                f['w'] = 1 if a == 'w0' else 2
            elif a == 'l0':
                f['l'] = 1
            elif a == 'l1':
                f['l'] = 2
            elif a == 'l2':
                f['l'] = 4
            elif a == 'l1+':
                f['l'] = 6
            elif a == 'lig':
                f['l'] = 0xf if m < 7 else 0x7
            elif k == 'cf':
                f['cf'] = CF.index(v)
            elif k == 't':
                f['tuple'] = TUPLE.index(v)
            elif k == 'es':
                f['es'] = int(v)
            elif k == 'sz' and v.startswith('pp:'):
                # One size per mandatory prefix (none/66/F3/F2), 0 unknown:
                # 0xe000 | 3-bit codes, code n meaning 1 << (n - 1) bytes.
                code = 0xe000
                for idx, x in enumerate(v[3:].split('/')):
                    x = int(x)
                    code |= (x.bit_length() if x else 0) << (3 * idx)
                f['sz'] = code
            elif k == 'sz':
                f['sz'] = SZ[v] if v in SZ else int(v)
            elif k == 'acc':
                f['acc'] = ACC[v]
            elif a == 'cmpxchg8b':
                f['cmpx'] = 1
            elif a in F2:
                f['flags2'] |= F2[a]
            elif a in F:
                f['flags'] |= F[a]
            else:
                sys.exit('%s:%d: unknown attribute %s' % (path, lineno, a))
        if f['mod'] == 1 and f['acc'] == 0 and (f['flags'] & (F['sse'])):
            pass
        for op in range(lo, hi + 1):
            g = dict(f)
            g['map'] = m
            g['op'] = op
            g['src'] = '%s:%d' % (os.path.basename(path), lineno)
            forms.append(g)
    return forms


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    forms = []
    for name in ('opcodes_legacy.txt', 'opcodes_vex.txt', 'opcodes_evex.txt'):
        forms += parse(os.path.join(top, 'decoder', name))
    # Stable order: by (map, opcode), keeping the file order within.
    forms.sort(key=lambda g: (g['map'], g['op']))
    index = [[0] * 256 for _ in range(10)]
    groups = []
    i = 0
    while i < len(forms):
        j = i
        while j < len(forms) and (forms[j]['map'], forms[j]['op']) == (forms[i]['map'], forms[i]['op']):
            j += 1
        if j - i > 255:
            sys.exit('too many forms')
        g = forms[i]
        # The decoder's fast path (no legacy prefixes, one unconstrained
        # form, nothing special to check) is allowed for this opcode.
        fast = (j - i == 1 and g['map'] <= 1 and (g['pp'] & 3) and g['w'] == 0 and
                g['reg'] == 0xff and g['rm'] == 0xff and g['cmpx'] == 0 and g['flags2'] == 0 and
                not (g['flags'] & (F['x87'] | F['gather'] | F['scatter'])) and
                g['imm'] != IMM['moffs'] and (g['map'], g['op']) not in ((0, 0x8c), (0, 0x8e)))
        # Groups (80-83, C0-D3, F6/F7, FE/FF, 0F BA, ...): forms that differ
        # only in ModRM.reg get a per-reg table for the fast path.
        grp = 0
        if not fast and g['map'] <= 1 and j - i > 1:
            ok = True
            regs = {}
            for h in forms[i:j]:
                if h['rm'] != 0xff:
                    continue  # left to the general path (c6/c7 /7 xabort, xbegin)
                if (h['reg'] == 0xff or h['reg'] in regs or h['pp'] != 0xf or h['w'] or h['cmpx']
                        or h['flags2'] or h['imm'] == IMM['moffs']
                        or h['flags'] & (F['x87'] | F['gather'] | F['scatter'])):
                    ok = False
                    break
                regs[h['reg']] = forms.index(h)
            if ok and regs:
                groups.append([regs.get(r, 0xffff) for r in range(8)])
                grp = len(groups)
        assert i < 0x10000 and grp < 0x40
        index[g['map']][g['op']] = ((i << 8) | (j - i) | (0x80000000 if fast else 0) |
                                    ((0x40000000 | (grp << 24)) if grp else 0))
        i = j
    out = []
    out.append('/* Generated by tools/gen_x86_tables.py from decoder/opcodes_*.txt: do not edit. */')
    out.append('static const struct x86_form x86_forms[%d] = {' % len(forms))
    for g in forms:
        out.append('\t{0x%x, %d, 0x%x, 0x%x, %d, 0x%x, %d, %d, %d, %d, 0x%x, %d, 0x%x, %d, 0x%x}, /* %s %02x %s */' % (
            g['flags'], g['pp'], g['reg'], g['rm'], g['mod'], g['w'], g['l'], g['imm'], g['cf'],
            g['tuple'], g['es'], g['acc'], g['sz'], g['cmpx'], g['flags2'], list(MAPS)[g['map']], g['op'], g['src']))
    out.append('};')
    out.append('/* Fast-path groups: form index by ModRM.reg, 0xffff = use the general path. */')
    out.append('static const uint16_t x86_groups[%d][8] = {' % (len(groups) + 1))
    out.append('\t{0},')
    for gr in groups:
        out.append('\t{' + ', '.join('0x%x' % v for v in gr) + '},')
    out.append('};')
    out.append('/* Per map and opcode: bits 0-7 number of forms, 8-23 first form, 24-29 fast')
    out.append(' * group (x86_groups), bit 30 group valid, bit 31 fast path allowed. */')
    out.append('static const uint32_t x86_index[10][256] = {')
    for m in range(10):
        out.append('\t{' + ','.join('0x%x' % v for v in index[m]) + '},')
    out.append('};')
    open(os.path.join(top, 'decoder', 'x86_tables.inc'), 'w').write('\n'.join(out) + '\n')
    lc = gen_lc(forms)
    open(os.path.join(top, 'decoder', 'x86_lc_tables.inc'), 'w').write('\n'.join(lc) + '\n')
    print('%d forms' % len(forms))


# --- Length-and-class tables (decoder/x86_lc_tables.inc, decoder/x86_lc.c) ---
# x86_decode_lc() answers length, validity and class for legacy-encoded
# instructions of the one-byte, 0F, 0F38 and 0F3A maps from one 16-bit entry
# per (row, opcode), where the row is the prefix context: the map, the
# mandatory prefix pp (maps 0F.. only), whether 66 is present and REX.W.
# The entries are computed here by replaying what decode_general() does
# (form order, form_matches(), the operand-size rules, the immediate sizes)
# for every ModRM.mod-is-3 / ModRM.reg pair; anything the replay cannot
# express (an answer that depends on ModRM.rm, mov cr/dr, 66 on near
# branches which depends on the vendor, undefined encodings) is marked
# "not fast" and x86_decode_lc() hands it to the general path.  The unit
# test decoder_lc compares the two exhaustively over prefixes, maps,
# opcodes and ModRM bytes.
LC_VALID = 0x4000
LC_SUB = 0x8000
LC_MODRM = 0x10
LC_X87 = 0x400
LC_COND = 0x800
LC_NV = 0x1000
IMM_SIZE = [(0, 0, 0), (1, 1, 1), (2, 2, 2), (2, 4, 4), (2, 4, 8),
            (2, 2, 2), (0, 0, 0), (1, 1, 1), (2, 4, 4), (1, 1, 1)]
IMM2_SIZE = [0, 0, 0, 0, 0, 1, 0, 0, 0, 1]


def lc_context(m, pset, w):
    """Index of x86_lc_rows for a prefix context (keep in step with x86_lc.c):
    the map, the set of 66 (bit 0), F3 (bit 1), F2 (bit 2) seen, REX.W."""
    return m * 16 + pset * 2 + w


def lc_outcome(fl, m, op, pp, has66, w, mod3, reg, rm, vl=0):
    """What decode_general() answers for these bytes, as an entry (0 = not
    fast).  fl: the forms of (map, op) in table order; m: 0-3 legacy maps,
    4-6 VEX maps 1-3 (vl: VEX.L)."""
    if not fl:
        return 0
    vex = m >= 4
    if m == 0 and op in (0x0f, 0xc4, 0xc5, 0x62):
        return 0  # escapes, VEX, EVEX
    if m == 1 and op in (0x0f, 0x38, 0x3a):
        return 0  # 3DNow!, escapes
    if m == 0 and op == 0x8f and reg != 0:
        return 0  # XOP or undefined
    ppbit = 1 << pp
    f0 = fl[0]
    if f0['pp'] != 0xf or f0['w'] or len(fl) > 1:
        if not any((g['pp'] & ppbit) and (not g['w'] or g['w'] == w + 1) for g in fl):
            return 0
    has_modrm = bool(f0['flags'] & F['m'])
    if any(g['flags2'] & F2['crdr'] for g in fl):
        return 0
    if not has_modrm:
        mod3, reg, rm = 1, 0, 0  # as decode_general(): no ModRM byte read
    f = None
    for g in fl:
        if not (g['pp'] & ppbit):
            continue
        if g['mod'] == 1 and mod3:
            continue
        if g['mod'] == 2 and not mod3:
            continue
        if g['reg'] != 0xff and g['reg'] != reg:
            continue
        if g['rm'] != 0xff and g['rm'] != rm:
            continue
        if g['w'] and g['w'] != w + 1:
            continue
        if not (g['l'] & (1 << vl)):
            continue
        f = g
        break
    if f is None:
        return 0
    if vex and (f['flags2'] & (F2['kr'] | F2['kv'])):
        return 0  # mask registers: checks on VEX.R and vvvv left to the general path
    if m == 0 and op == 0x8c and reg > 5:
        return 0
    if m == 0 and op == 0x8e and (reg > 5 or reg == 1):
        return 0
    if f['flags'] & (F['gather'] | F['scatter']):
        return 0
    osz = 8 if w else 2 if has66 else 4
    if f['flags'] & F['d64']:
        osz = 2 if has66 and not w else 8
    if f['flags'] & F['f64']:
        if has66 and not w:
            return 0  # 66 on a near branch: the vendor decides
        osz = 8
    if 0 < m < 4 and not w and ((pp == 1 and not (f['pp'] & 1)) or (m == 2 and op == 0xf6)):
        osz = 4
    ik = f['imm']
    isz = IMM_SIZE[ik][osz >> 2] + IMM2_SIZE[ik]
    if ik == IMM['moffs']:
        isz = 8  # 67 (4-byte moffs) is left to the general path
    if f['cf'] == CF.index('xbegin'):
        isz = 2 if has66 and not w else 4
    e = LC_VALID | isz | (f['cf'] << 5)
    if has_modrm:
        e |= LC_MODRM
    if f['flags'] & F['x87']:
        e |= LC_X87
    if vex and f['flags'] & F['nv']:
        e |= LC_NV  # VEX.vvvv must be 1111b
    if f['cf'] in (CF.index('jcc'), CF.index('loop')):
        e |= LC_COND  # the condition is the opcode's low nibble (E0-E2 for loop)
    return e


def gen_lc(forms):
    by_op = {}
    for g in forms:
        if g['map'] <= 6:
            by_op.setdefault((g['map'], g['op']), []).append(g)
    # Rows by context, identical rows shared; row 0 is all "not fast"
    # (F2 with F3: which one is the mandatory prefix depends on the order).
    index = [[0] * 256]
    row_ids = {tuple(index[0]): 0}
    rows = [0] * lc_context(3, 7, 1) + [0]
    subs = []
    sub_ids = {}
    for m in range(4):
        for pset in range(8):
            if pset & 6 == 6:
                continue
            has66 = pset & 1
            pp = 0 if m == 0 else 3 if pset & 4 else 2 if pset & 2 else has66
            for w in range(2):
                row = []
                for op in range(256):
                    fl = by_op.get((m, op), [])
                    outs = []
                    for mod3 in range(2):
                        for reg in range(8):
                            per_rm = {lc_outcome(fl, m, op, pp, has66, w, mod3, reg, rm)
                                      for rm in range(8)}
                            outs.append(per_rm.pop() if len(per_rm) == 1 else 0)
                    if len(set(outs)) == 1:
                        e = outs[0]
                    else:
                        # Indexed by ModRM >> 3: mod 0-2 share the memory answers.
                        key = tuple(outs[:8] * 3 + outs[8:])
                        if key not in sub_ids:
                            sub_ids[key] = len(subs)
                            subs.append(key)
                        e = LC_SUB | sub_ids[key]
                    row.append(e)
                if tuple(row) not in row_ids:
                    row_ids[tuple(row)] = len(index)
                    index.append(row)
                rows[lc_context(m, pset, w)] = row_ids[tuple(row)]
    # VEX (SDM 2.3): rows by map (1-3), pp, L and W; 66/F2/F3/LOCK/REX before
    # it are checked in x86_lc.c (they make it #UD).
    vrows = [0] * 64
    for vm in range(1, 4):
        for pp in range(4):
            for vl in range(2):
                for w in range(2):
                    row = []
                    for op in range(256):
                        fl = by_op.get((vm + 3, op), [])
                        outs = []
                        for mod3 in range(2):
                            for reg in range(8):
                                per_rm = {lc_outcome(fl, vm + 3, op, pp, 0, w, mod3, reg, rm, vl)
                                          for rm in range(8)}
                                outs.append(per_rm.pop() if len(per_rm) == 1 else 0)
                        if len(set(outs)) == 1:
                            e = outs[0]
                        else:
                            key = tuple(outs[:8] * 3 + outs[8:])
                            if key not in sub_ids:
                                sub_ids[key] = len(subs)
                                subs.append(key)
                            e = LC_SUB | sub_ids[key]
                        row.append(e)
                    if tuple(row) not in row_ids:
                        row_ids[tuple(row)] = len(index)
                        index.append(row)
                    vrows[vm * 16 + pp * 4 + vl * 2 + w] = row_ids[tuple(row)]
    # ModRM, SIB and displacement bytes; bits 4-7: mod 0 with a SIB, which
    # takes a disp32 when SIB.base is 101b.  Row 0: no ModRM.
    tail = [0] * 256
    for modrm in range(256):
        mod, rm = modrm >> 6, modrm & 7
        n = 1
        if mod != 3:
            n += 1 if mod == 1 else 4 if mod == 2 else 0
            if rm == 4:
                n += 1
            elif mod == 0 and rm == 5:
                n += 4
        tail.append(n | (0xf0 if mod == 0 and rm == 4 else 0))
    out = ['/* Generated by tools/gen_x86_tables.py from decoder/opcodes_*.txt: do not edit. */',
           '/* Length-and-class entries (x86_lc.c): bits 0-3 immediate bytes, 4 ModRM,',
           ' * 5-9 class, 10 x87 checks, 11 condition in the opcode\'s low nibble, 12',
           ' * VEX.vvvv must be 1111b, 14 valid; bit 15: bits 0-14 index x86_lc_sub,',
           ' * chosen by ModRM >> 3 (mod, reg).',
           ' * 0: the general path decides. */',
           'static const uint16_t x86_lc_sub[%d][32] = {' % max(1, len(subs))]
    for key in subs or [(0,) * 32]:
        out.append('\t{' + ','.join('0x%x' % v for v in key) + '},')
    out.append('};')
    out.append('/* Row of x86_lc_index by prefix context: map << 4 | {F2, F3, 66} << 1 | W. */')
    out.append('static const uint8_t x86_lc_rows[%d] = {' % len(rows))
    for k in range(0, len(rows), 16):
        out.append('\t' + ','.join('%d' % v for v in rows[k:k + 16]) + ',')
    out.append('};')
    out.append('/* Row of x86_lc_index for VEX: map << 4 | pp << 2 | L << 1 | W (map 0: none). */')
    out.append('static const uint8_t x86_lc_vrows[%d] = {' % len(vrows))
    for k in range(0, len(vrows), 16):
        out.append('\t' + ','.join('%d' % v for v in vrows[k:k + 16]) + ',')
    out.append('};')
    out.append('static const uint16_t x86_lc_index[%d][256] = {' % len(index))
    for row in index:
        out.append('\t{' + ','.join('0x%x' % v for v in row) + '},')
    out.append('};')
    out.append('/* By "has ModRM" and the ModRM byte: bytes of ModRM, SIB and displacement;')
    out.append(' * bits 4-7 set: SIB with mod 0, which takes a disp32 when SIB.base is 101b')
    out.append(' * (x86_lc_sib). */')
    out.append('static const uint8_t x86_lc_modrm[2][256] = {')
    for h in range(2):
        out.append('\t{')
        for k in range(0, 256, 16):
            out.append('\t\t' + ','.join('0x%x' % v for v in tail[256 * h + k:256 * h + k + 16]) + ',')
        out.append('\t},')
    out.append('};')
    out.append('/* By SIB byte: 4 when the base is 101b (no base, disp32 with mod 0). */')
    out.append('static const uint8_t x86_lc_sib[256] = {')
    for k in range(0, 256, 16):
        out.append('\t' + ','.join('%d' % (4 if (v & 7) == 5 else 0) for v in range(k, k + 16)) + ',')
    out.append('};')
    return out


main()
