/* fileio.h — writing files so that a crash or a full disk never leaves a
 * half-written file under the final name: write to a temporary file in the
 * same directory, flush, fsync, close, rename over the target. */
#ifndef AE_FILEIO_H
#define AE_FILEIO_H

#include "aekit.h"

#include <stdio.h>

/* Called with the open temporary file; returns AE_OK or a status (after
 * ae_set_error). Write errors are also caught by the final flush/close. */
typedef ae_status (*ae_write_fn)(FILE *f, void *ctx);

/* Write `path` atomically through `fn`. On any failure the temporary file
 * is removed, an existing `path` is left untouched, and the error names
 * `path`. */
ae_status ae_write_atomic(const char *path, ae_write_fn fn, void *ctx);

/* Make a temporary name next to `path` (caller frees); for writers that
 * need a file name rather than a FILE* (e.g. plotting libraries). Then
 * ae_commit_tmp() renames it into place, or removes it on failure. */
char *ae_tmp_name(const char *path);
ae_status ae_commit_tmp(const char *tmp, const char *path);

/* Read a whole file into memory (caller frees). Fails on directories. */
ae_status ae_read_file(const char *path, unsigned char **data, size_t *size);

#endif
