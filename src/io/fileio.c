/* fileio.c — atomic writes and whole-file reads. */
#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ae_tmp_name(const char *path) {
  size_t len = strlen(path) + 32;
  char *tmp = malloc(len);
  if (tmp) snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
  return tmp;
}

ae_status ae_commit_tmp(const char *tmp, const char *path) {
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  }
  return AE_OK;
}

ae_status ae_write_atomic(const char *path, ae_write_fn fn, void *ctx) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory", path);
  char *tmp = ae_tmp_name(path);
  if (!tmp) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    int e = errno;
    free(tmp);
    return ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  }
  ae_status s = fn(f, ctx);
  int e = 0;
  if (s == AE_OK) {
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) e = errno ? errno : EIO;
  }
  if (fclose(f) != 0 && s == AE_OK && !e) e = errno ? errno : EIO;
  if (s == AE_OK && e)
    s = ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  if (s == AE_OK) s = ae_commit_tmp(tmp, path);
  else remove(tmp);
  free(tmp);
  return s;
}

ae_status ae_read_file(const char *path, unsigned char **data, size_t *size) {
  *data = NULL;
  *size = 0;
  struct stat st;
  if (stat(path, &st) != 0)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory, not a file", path);
  FILE *f = fopen(path, "rb");
  if (!f)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = st.st_size > 0 ? (size_t)st.st_size : 4096, len = 0;
  unsigned char *buf = malloc(cap + 1);
  if (!buf) {
    fclose(f);
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, cap);
  }
  for (;;) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len < cap) break;
    unsigned char *nb = realloc(buf, cap * 2 + 1);
    if (!nb) {
      free(buf);
      fclose(f);
      return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    }
    buf = nb;
    cap *= 2;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return ae_set_error(AE_ERR_IO, "%s: read error", path);
  }
  buf[len] = 0;
  *data = buf;
  *size = len;
  return AE_OK;
}
