/* llhttp.c built with its SSE4.2 paths (header names and values scanned 16 bytes at a time),
 * plus a load-time check: a binary built this way on one machine and run on a CPU without
 * SSE4.2 stops with a message instead of dying on an illegal instruction. */
#include "llhttp.c"

#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void kong_llhttp_require_sse42(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) {
    fputs("libkonghybrid: built with llhttp's SSE4.2 paths but this CPU lacks SSE4.2; "
          "rebuild with -Dllhttp:sse42=disabled\n", stderr);
    abort();
  }
}
