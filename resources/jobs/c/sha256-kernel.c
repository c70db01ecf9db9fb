/*
 * Freestanding CPU kernel for bench/runtime.ts: no imports, no libc. `kernel(rounds)` hashes a 64 KiB buffer
 * `rounds` times, feeding each digest back into the buffer, and returns the first word of the last digest.
 */
#include "sha256.h"

static uint8_t buffer[65536];

__attribute__((export_name("kernel"))) uint32_t kernel(uint32_t rounds) {
  uint8_t digest[32] = {0};
  for (uint32_t i = 0; i < sizeof buffer; i++) buffer[i] = (uint8_t)(i * 131 + 7);
  for (uint32_t r = 0; r < rounds; r++) {
    for (int i = 0; i < 32; i++) buffer[(r * 32 + i) % sizeof buffer] ^= digest[i];
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, buffer, sizeof buffer);
    sha256_final(&c, digest);
  }
  return (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
}
