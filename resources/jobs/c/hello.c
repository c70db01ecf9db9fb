/*
 * A WASI command exercising the deterministic runtime: arguments, environment, stdin, the read-only /in
 * preopen, the write-only /out preopen, the fixed clock and the seeded random generator. Every byte it prints
 * is a function of the job, so two runs print the same thing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  printf("argc=%d", argc);
  for (int i = 1; i < argc; i++) printf(" argv[%d]=%s", i, argv[i]);
  printf("\n");

  const char *who = getenv("WHO");
  printf("WHO=%s\n", who ? who : "(unset)");

  char line[256];
  if (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    printf("stdin=%s\n", line);
  }

  FILE *in = fopen("/in/0", "r");
  if (in) {
    size_t n = fread(line, 1, sizeof line - 1, in);
    line[n] = 0;
    fclose(in);
    printf("/in/0 has %zu bytes\n", n);
  } else {
    printf("/in/0 is missing\n");
  }

  unsigned char random[8];
  if (getentropy(random, sizeof random) == 0) {
    printf("random=");
    for (size_t i = 0; i < sizeof random; i++) printf("%02x", random[i]);
    printf("\n");
  }
  printf("time=%lld\n", (long long)time(NULL));
  printf("pi~%.6f\n", 355.0 / 113.0);

  FILE *out = fopen("/out/greeting.txt", "w");
  if (!out) {
    perror("open /out/greeting.txt");
    return 1;
  }
  fprintf(out, "hello, %s\n", who ? who : "world");
  fclose(out);
  return 0;
}
