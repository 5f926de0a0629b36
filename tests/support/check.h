/* SPDX-License-Identifier: MIT */
/* check.h — the tests' few macros. A failed check prints file:line and what
 * differed, counts the failure, and the test's main returns non-zero. */
#ifndef AE_CHECK_H
#define AE_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,     \
              #cond);                                                       \
      check_failures++;                                                     \
    }                                                                       \
  } while (0)

/* An ae_status call that must succeed; prints ae_last_error() if not. */
#define CHECK_OK(call)                                                      \
  do {                                                                      \
    ae_status st_ = (call);                                                 \
    if (st_ != AE_OK) {                                                     \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,  \
              ae_last_error());                                             \
      check_failures++;                                                     \
    }                                                                       \
  } while (0)

/* An ae_status call that must fail with `want`; the message must be
 * non-empty and, if `needle` is not NULL, contain it. */
#define CHECK_FAILS(call, want, needle)                                     \
  do {                                                                      \
    ae_status st_ = (call);                                                 \
    const char *msg_ = ae_last_error(), *needle_ = (needle);                \
    if (st_ != (want) || !msg_[0] || (needle_ && !strstr(msg_, needle_))) { \
      fprintf(stderr, "%s:%d: %s: got status %d (%s), want %d with \"%s\"\n", \
              __FILE__, __LINE__, #call, (int)st_, msg_, (int)(want),       \
              needle_ ? needle_ : "");                                      \
      check_failures++;                                                     \
    }                                                                       \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                               \
  do {                                                                      \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs(a_ - b_) <= (tol))) {                                        \
      fprintf(stderr, "%s:%d: %s = %.9g, want %.9g (tol %g)\n", __FILE__,   \
              __LINE__, #a, a_, b_, (double)(tol));                         \
      check_failures++;                                                     \
    }                                                                       \
  } while (0)

#define CHECK_DONE()                                                        \
  do {                                                                      \
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures); \
    return check_failures ? 1 : 0;                                          \
  } while (0)

#endif
