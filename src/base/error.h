/* SPDX-License-Identifier: MIT */
/* error.h — the library's one error channel.
 *
 * Every public function returns an ae_status. Where it is not AE_OK, the
 * function has also called ae_set_error() with one line saying what failed
 * and why ("fashion.idx: header claims 4294967295 images, file holds 12");
 * ae_last_error() returns that line. The buffer is thread-local, so two
 * threads (or two models) never see each other's messages. The library never
 * prints and never exits. */
#ifndef AE_ERROR_H
#define AE_ERROR_H

#include "aekit.h"

/* Record a message (printf format) and return `st`, so callers can write
 * `return ae_set_error(AE_ERR_FORMAT, "%s: bad magic", path);`. */
ae_status ae_set_error(ae_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prefix the current message with "<prefix>: " (used to add a file name). */
void ae_error_prefix(const char *prefix);

/* The public API's argument checks: return AE_ERR_ARG with "FN: WHAT" when
 * `cond` is false. */
#define AE_ARG(cond, fn, what)                                                 \
  do {                                                                         \
    if (!(cond)) return ae_set_error(AE_ERR_ARG, "%s: %s", fn, what);          \
  } while (0)

/* Whether n rows of `each` elements of `size` bytes can exist in memory. */
static inline int ae_fits(size_t n, size_t each, size_t size) {
  return each == 0 || size == 0 || n <= (size_t)-1 / each / size;
}

/* Report a broken invariant with file:line; returns AE_ERR_INTERNAL. */
#define AE_ASSERT(cond)                                                        \
  do {                                                                         \
    if (!(cond))                                                               \
      return ae_set_error(AE_ERR_INTERNAL, "%s:%d: internal check failed: %s", \
                          __FILE__, __LINE__, #cond);                          \
  } while (0)

#endif
