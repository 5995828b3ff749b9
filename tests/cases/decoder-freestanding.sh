#!/bin/sh
# The decoder as the agent builds it (-ffreestanding -nostdlib
# -mgeneral-regs-only ..., `make decoder-freestanding`): no undefined
# symbols (no libc, no memcpy/memset), no vector registers, no %fs access.
set -u
objs=$(ls "$BUILD"/freestanding/decoder/*.o 2>/dev/null)
[ -n "$objs" ] || { echo "no freestanding decoder objects: run make test-progs"; exit 1; }
# Linked together first so that calls between the objects resolve.
ld -r -o "$WORK/decoder-all.o" $objs || exit 1
undef=$(nm -u "$WORK/decoder-all.o" || true)
if [ -n "$undef" ]; then
	echo "undefined symbols:"; echo "$undef"; exit 1
fi
if objdump -d $objs | grep -Eq '%[xyz]mm|%k[0-7]|%fs:'; then
	echo "vector registers or %fs in the freestanding decoder"; exit 1
fi
if nm $objs | grep -Eq ' [dDbB] '; then
	echo "writable data in the freestanding decoder:"; nm $objs | grep -E ' [dDbB] '; exit 1
fi
echo "freestanding decoder: $(echo $objs | wc -w) objects, no undefined symbols"
