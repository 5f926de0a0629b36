/* SPDX-License-Identifier: MIT */
/* replay.c — a main for the fuzz harnesses outside libFuzzer: runs the
 * harness once on every file of the folders (or files) given. make test
 * replays the committed corpora and the regression inputs this way, in the
 * release, sanitizer and clang builds alike. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return perror(path), 1;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
  size_t got = buf ? fread(buf, 1, (size_t)(len > 0 ? len : 0), f) : 0;
  fclose(f);
  if (!buf || got != (size_t)(len > 0 ? len : 0)) return free(buf), fprintf(stderr, "%s: cannot read\n", path), 1;
  LLVMFuzzerTestOneInput(buf, got);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int bad = 0, runs = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* a harness without regressions */
    if (!S_ISDIR(st.st_mode)) {
      bad |= run_file(argv[i]), runs++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      bad |= run_file(p), runs++;
    }
    if (d) closedir(d);
  }
  printf("%d inputs replayed\n", runs);
  return bad || runs == 0;
}
