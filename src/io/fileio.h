/* SPDX-License-Identifier: MIT */
/* fileio.h — writing files so that a crash, a kill or a full disk never
 * leaves a half-written file under the final name, and reading files within
 * a size budget.
 *
 * Where the output path goes decides how it is written:
 * - a regular file, new or existing: written to a fresh temporary beside it
 *   (created with O_EXCL under an unguessable name, so nothing planted there
 *   is followed), flushed, fsynced, renamed over the file, and the folder
 *   fsynced; an existing file keeps its permission bits;
 * - a symlink to a regular file: the same, onto the file the link points to
 *   (the link stays a link);
 * - a character device or a pipe (/dev/null, /dev/stdout, a FIFO), or the
 *   file this process's stdout or stderr writes (-o /dev/stdout >> log):
 *   written straight into it, where the shell set it up; nothing is
 *   replaced;
 * - a folder, a block device, a socket or a dangling symlink: refused.
 * Temporaries are named ".<name>.aekit-<pid>-<random>"; those a killed
 * process left behind (its pid gone) are removed by the next write to the
 * same file. */
#ifndef AE_FILEIO_H
#define AE_FILEIO_H

#include "aekit.h"

#include <stdio.h>

/* Called with the open output; returns AE_OK or a status (after
 * ae_set_error). Write errors are also caught by the final flush/close. */
typedef ae_status (*ae_write_fn)(FILE *f, void *ctx);

/* Write `path` through `fn`, as the header says. On any failure the
 * temporary is removed, an existing file is left untouched, and the error
 * names `path`. */
ae_status ae_write_atomic(const char *path, ae_write_fn fn, void *ctx);

/* For writers that need a file name rather than a FILE* (PLplot): an output
 * in progress whose `tmp` names a file the writer fills; then
 * ae_out_commit() puts it in place (or copies it into the device), or
 * ae_out_abort() removes it. */
typedef struct {
  const char *path; /* as given, for messages */
  char *dest;       /* the regular file replaced; NULL when writing a device */
  char *tmp;        /* the temporary (beside dest, or in $TMPDIR for a device) */
  int fd;           /* the open temporary or device; -1 once handed over by name */
  int device;       /* 1: the output is a character device or a pipe */
  unsigned mode;    /* permission bits to give the file; 0: the umask's */
} ae_out;

/* Open an output for `path`. With `by_name`, the temporary is closed and
 * left for the caller to write by its name (o->tmp), also for a device.
 * Without it, o->fd is where to write (the temporary, or the device). */
ae_status ae_out_open(ae_out *o, const char *path, int by_name);
ae_status ae_out_commit(ae_out *o);
void ae_out_abort(ae_out *o);

/* Where a reader's bytes come from: a file, or a caller's buffer (the
 * memory loaders, the fuzzers). `name` is what messages say and what the
 * format is told from. */
typedef struct {
  const char *name;
  const unsigned char *mem; /* NULL: read the file `name` */
  size_t size;
} ae_source;

/* The source's bytes in a fresh NUL-terminated buffer (caller frees), at
 * most `limit` of them (0: AE_LOAD_LIMIT). */
ae_status ae_source_read(const ae_source *src, unsigned char **data, size_t *size,
                         size_t limit);

/* Read a whole file into memory (caller frees), refusing a file larger than
 * `limit` bytes (0: AE_LOAD_LIMIT) before reading it. Fails on folders. */
ae_status ae_read_file(const char *path, unsigned char **data, size_t *size,
                       size_t limit);

#endif
