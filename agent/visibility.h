/* Included first in every agent compilation (-include): every symbol is
 * hidden, so position-independent code reaches it PC-relatively and the
 * image needs no relocations (no GOT). */
#pragma GCC visibility push(hidden)
