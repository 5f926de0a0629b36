/* SPDX-License-Identifier: MIT */
/* fileio.c — safe writes (see fileio.h for the rules) and bounded reads. */
#define _DEFAULT_SOURCE /* DT_REG, O_DIRECTORY, realpath */
#include "fileio.h"

#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_MARK ".aekit-"

/* Split `path` into a freshly allocated folder ("." when none) and a
 * pointer to its last component. */
static char *folder_of(const char *path, const char **base) {
  const char *slash = strrchr(path, '/');
  *base = slash ? slash + 1 : path;
  if (!slash) return strdup(".");
  size_t len = slash == path ? 1 : (size_t)(slash - path);
  char *dir = malloc(len + 1);
  if (dir) memcpy(dir, path, len), dir[len] = 0;
  return dir;
}

/* 64 bits no other process can guess: the clock, the pid, an address and a
 * counter, mixed (splitmix64). O_EXCL does the real work; this only keeps
 * the names from colliding. */
static uint64_t tmp_random(void) {
  static _Atomic uint64_t counter;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t z = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
               ((uint64_t)getpid() << 17) ^ (uint64_t)(uintptr_t)&ts;
  z += 0x9e3779b97f4a7c15ull * ++counter;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Remove temporaries of `base` in `dir` whose writer is gone. */
static void remove_stale(const char *dir, const char *base) {
  DIR *d = opendir(dir);
  if (!d) return;
  size_t blen = strlen(base), mlen = strlen(TMP_MARK);
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *n = e->d_name;
    if (n[0] != '.' || strncmp(n + 1, base, blen) || strncmp(n + 1 + blen, TMP_MARK, mlen))
      continue;
    char *end;
    long pid = strtol(n + 1 + blen + mlen, &end, 10);
    if (pid <= 0 || *end != '-' || pid == (long)getpid()) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours */
    size_t len = strlen(dir) + strlen(n) + 2;
    char *full = malloc(len);
    if (!full) break;
    snprintf(full, len, "%s/%s", dir, n);
    struct stat st;
    if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) unlink(full);
    free(full);
  }
  closedir(d);
}

/* Create a new temporary for `base` in `dir`; sets o->tmp and o->fd. */
static ae_status make_tmp(ae_out *o, const char *dir, const char *base) {
  size_t len = strlen(dir) + strlen(base) + 64;
  o->tmp = malloc(len);
  if (!o->tmp) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", o->path);
  for (int tries = 0; tries < 100; tries++) {
    snprintf(o->tmp, len, "%s/.%s" TMP_MARK "%ld-%016llx", dir, base, (long)getpid(),
             (unsigned long long)tmp_random());
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (o->fd >= 0) {
      if (o->mode) (void)fchmod(o->fd, (mode_t)o->mode);
      return AE_OK;
    }
    if (errno != EEXIST) break;
  }
  ae_status s = ae_set_error(AE_ERR_IO, "%s: cannot write: %s", o->path, strerror(errno));
  free(o->tmp);
  o->tmp = NULL;
  return s;
}

/* 1 or 2 when `st` is the regular file this process's stdout or stderr
 * already writes (-o /dev/stdout > file, or >> file), else -1: that file is
 * written into where the shell set it up, not replaced. */
static int std_stream_of(const struct stat *st) {
  for (int fd = 1; fd <= 2; fd++) {
    struct stat fs;
    if (fstat(fd, &fs) == 0 && fs.st_dev == st->st_dev && fs.st_ino == st->st_ino) return fd;
  }
  return -1;
}

/* Open a device, a pipe or our own stdout's file for writing straight in. */
static int open_direct(const char *path) {
  struct stat st;
  int fd = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? std_stream_of(&st) : -1;
  if (fd >= 0) return fcntl(fd, F_DUPFD_CLOEXEC, 3);
  return open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

static void out_release(ae_out *o) {
  if (o->fd >= 0) close(o->fd);
  o->fd = -1;
  free(o->dest);
  free(o->tmp);
  o->dest = o->tmp = NULL;
}

void ae_out_abort(ae_out *o) {
  if (!o) return;
  if (o->tmp) unlink(o->tmp);
  out_release(o);
}

ae_status ae_output_check(const char *path) {
  ae_out o;
  ae_status st = ae_out_open(&o, path, 0); /* makes (then removes) the temporary */
  if (st == AE_OK) ae_out_abort(&o);
  return st;
}

ae_status ae_out_open(ae_out *o, const char *path, int by_name) {
  memset(o, 0, sizeof *o);
  o->fd = -1;
  o->path = path;
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "no output file name");
  struct stat ls, st;
  int exists = lstat(path, &ls) == 0;
  if (!exists && errno != ENOENT)
    return ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  if (exists && stat(path, &st) != 0)
    return ae_set_error(AE_ERR_IO, "%s: is a symlink to a missing file; not followed", path);
  if (exists && S_ISDIR(st.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory", path);
  if (exists && (S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)))
    return ae_set_error(AE_ERR_IO, "%s: is a %s; aekit writes regular files, character "
                        "devices and pipes", path,
                        S_ISBLK(st.st_mode) ? "block device" : "socket");
  ae_status s = AE_OK;
  int std_fd = exists && S_ISREG(st.st_mode) ? std_stream_of(&st) : -1;
  if (exists && (!S_ISREG(st.st_mode) || std_fd >= 0)) { /* a device, a pipe, our stdout */
    o->device = 1;
    if (by_name) {
      const char *t = getenv("TMPDIR");
      s = make_tmp(o, t && t[0] == '/' ? t : "/tmp", "aekit-out");
      if (s == AE_OK) close(o->fd), o->fd = -1;
      return s;
    }
    o->fd = open_direct(path);
    if (o->fd < 0)
      return ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return AE_OK;
  }
  if (exists) o->mode = (unsigned)(st.st_mode & 07777);
  o->dest = S_ISLNK(exists ? ls.st_mode : 0) ? realpath(path, NULL) : strdup(path);
  if (!o->dest) return ae_set_error(AE_ERR_IO, "%s: cannot resolve: %s", path, strerror(errno));
  const char *base;
  char *dir = folder_of(o->dest, &base);
  if (!dir) {
    out_release(o);
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  }
  remove_stale(dir, base);
  s = make_tmp(o, dir, base);
  free(dir);
  if (s != AE_OK) {
    out_release(o);
    return s;
  }
  if (by_name) close(o->fd), o->fd = -1;
  return AE_OK;
}

/* Copy the finished temporary into the device, then remove it. */
static int copy_into_device(ae_out *o) {
  int in = open(o->tmp, O_RDONLY | O_CLOEXEC), out = -1, err = 0;
  if (in < 0) return errno;
  out = open_direct(o->path);
  if (out < 0) err = errno;
  char buf[65536];
  while (!err) {
    ssize_t got = read(in, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) err = errno;
    if (got <= 0) break;
    for (ssize_t off = 0; off < got && !err;) {
      ssize_t put = write(out, buf + off, (size_t)(got - off));
      if (put < 0 && errno != EINTR) err = errno;
      if (put > 0) off += put;
    }
  }
  close(in);
  if (out >= 0 && close(out) != 0 && !err) err = errno;
  return err;
}

ae_status ae_out_commit(ae_out *o) {
  int err = 0;
  if (o->device) {
    if (o->tmp) {
      err = copy_into_device(o);
      unlink(o->tmp);
    } else if (o->fd >= 0 && close(o->fd) != 0) {
      err = errno;
    }
    o->fd = -1;
  } else {
    int fd = o->fd >= 0 ? o->fd : open(o->tmp, O_RDONLY | O_CLOEXEC);
    o->fd = -1;
    if (fd < 0 || fsync(fd) != 0) err = errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !err) err = errno;
    if (!err && rename(o->tmp, o->dest) != 0) err = errno;
    if (err) {
      unlink(o->tmp);
    } else { /* the rename is durable once the folder is synced */
      const char *base;
      char *dir = folder_of(o->dest, &base);
      int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
      if (dfd >= 0) (void)fsync(dfd), close(dfd);
      free(dir);
    }
  }
  ae_status s = err ? ae_set_error(AE_ERR_IO, "%s: cannot write: %s", o->path, strerror(err))
                    : AE_OK;
  out_release(o);
  return s;
}

ae_status ae_write_atomic(const char *path, ae_write_fn fn, void *ctx) {
  ae_out o;
  ae_status s = ae_out_open(&o, path, 0);
  if (s != AE_OK) return s;
  /* the FILE writes through a duplicate, so o.fd stays open for the fsync
   * and close of ae_out_commit (the temporary is never reopened by name) */
  int dup_fd = fcntl(o.fd, F_DUPFD_CLOEXEC, 3);
  FILE *f = dup_fd >= 0 ? fdopen(dup_fd, "wb") : NULL;
  if (!f) {
    if (dup_fd >= 0) close(dup_fd);
    s = ae_set_error(AE_ERR_NOMEM, "%s: cannot write: %s", path, strerror(errno));
    ae_out_abort(&o);
    return s;
  }
  errno = 0;
  s = fn(f, ctx);
  int e = 0;
  if (s == AE_OK && (fflush(f) != 0 || ferror(f))) e = errno ? errno : EIO;
  if (fclose(f) != 0 && s == AE_OK && !e) e = errno ? errno : EIO;
  if (s == AE_OK && e) s = ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  if (s != AE_OK) {
    ae_out_abort(&o);
    return s;
  }
  return ae_out_commit(&o);
}

ae_status ae_read_file(const char *path, unsigned char **data, size_t *size, size_t limit) {
  *data = NULL;
  *size = 0;
  if (!limit) limit = AE_LOAD_LIMIT;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int e = errno;
    close(fd);
    return S_ISDIR(st.st_mode)
               ? ae_set_error(AE_ERR_IO, "%s: is a directory, not a file", path)
               : ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(e));
  }
  if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit) {
    close(fd);
    return ae_set_error(AE_ERR_FORMAT, "%s: %jd bytes, more than the %zu-byte limit on "
                        "what aekit reads", path, (intmax_t)st.st_size, limit);
  }
  /* regular files are read in one go; pipes and devices grow the buffer
   * until end of file or the limit */
  size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 65536, len = 0;
  unsigned char *buf = malloc(cap + 1);
  ae_status s = AE_OK;
  if (!buf) s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, cap);
  while (s == AE_OK) {
    if (len == cap && S_ISREG(st.st_mode)) break; /* read what stat said */
    if (len == cap) {
      if (cap >= limit) {
        s = ae_set_error(AE_ERR_FORMAT, "%s: more than the %zu-byte limit on what aekit "
                         "reads", path, limit);
        break;
      }
      size_t ncap = cap > limit / 2 ? limit : cap * 2;
      unsigned char *nb = realloc(buf, ncap + 1);
      if (!nb) {
        s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
        break;
      }
      buf = nb;
      cap = ncap;
    }
    ssize_t got = read(fd, buf + len, cap - len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) s = ae_set_error(AE_ERR_IO, "%s: read error: %s", path, strerror(errno));
    if (got <= 0) break;
    len += (size_t)got;
  }
  close(fd);
  if (s != AE_OK) {
    free(buf);
    return s;
  }
  buf[len] = 0;
  *data = buf;
  *size = len;
  return AE_OK;
}

ae_status ae_source_read(const ae_source *src, unsigned char **data, size_t *size,
                         size_t limit) {
  if (!src->mem) return ae_read_file(src->name, data, size, limit);
  *data = NULL;
  *size = 0;
  if (!limit) limit = AE_LOAD_LIMIT;
  if (src->size > limit)
    return ae_set_error(AE_ERR_FORMAT, "%s: %zu bytes, more than the %zu-byte limit on what "
                        "aekit reads", src->name, src->size, limit);
  unsigned char *buf = malloc(src->size + 1);
  if (!buf) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory (%zu bytes)", src->name, src->size);
  if (src->size) memcpy(buf, src->mem, src->size);
  buf[src->size] = 0;
  *data = buf;
  *size = src->size;
  return AE_OK;
}
