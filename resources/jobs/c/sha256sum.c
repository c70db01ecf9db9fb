/*
 * sha256sum for the ICN runtime: prints the SHA-256 of stdin and of every input file /in/0, /in/1, ...,
 * in the format of coreutils' sha256sum, and writes the digests to /out/digests.txt.
 */
#include <stdio.h>
#include "sha256.h"

static int digest_stream(FILE *f, const char *name, FILE *out) {
  static uint8_t buf[65536];
  sha256_ctx c;
  sha256_init(&c);
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&c, buf, n);
  if (ferror(f)) return -1;
  uint8_t d[32];
  sha256_final(&c, d);
  for (int i = 0; i < 32; i++) printf("%02x", d[i]);
  printf("  %s\n", name);
  if (out) {
    for (int i = 0; i < 32; i++) fprintf(out, "%02x", d[i]);
    fprintf(out, "  %s\n", name);
  }
  return 0;
}

int main(void) {
  FILE *out = fopen("/out/digests.txt", "w");
  if (digest_stream(stdin, "-", out) != 0) return 2;
  for (int i = 0;; i++) {
    char path[32];
    snprintf(path, sizeof path, "/in/%d", i);
    FILE *f = fopen(path, "rb");
    if (!f) break;
    int rc = digest_stream(f, path, out);
    fclose(f);
    if (rc != 0) return 2;
  }
  if (out) fclose(out);
  return 0;
}
