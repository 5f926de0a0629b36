/* error.c — thread-local last-error message and status names. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

ae_status ae_set_error(ae_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return st;
}

void ae_error_prefix(const char *prefix) {
  char tmp[sizeof last_error];
  size_t n = strlen(prefix);
  if (n > sizeof tmp / 2) n = sizeof tmp / 2;
  memcpy(tmp, prefix, n);
  tmp[n] = ':', tmp[n + 1] = ' ';
  size_t rest = strlen(last_error);
  if (rest > sizeof tmp - n - 3) rest = sizeof tmp - n - 3;
  memcpy(tmp + n + 2, last_error, rest);
  tmp[n + 2 + rest] = 0;
  memcpy(last_error, tmp, sizeof last_error);
}

const char *ae_last_error(void) { return last_error; }

const char *ae_status_string(ae_status st) {
  switch (st) {
  case AE_OK: return "ok";
  case AE_ERR_NOMEM: return "out of memory";
  case AE_ERR_IO: return "input/output error";
  case AE_ERR_FORMAT: return "malformed file";
  case AE_ERR_ARG: return "invalid argument";
  case AE_ERR_SHAPE: return "shape mismatch";
  case AE_ERR_NUMERIC: return "non-finite number";
  case AE_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}
