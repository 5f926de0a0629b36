/* SPDX-License-Identifier: MIT */
/* error.c — thread-local last-error message and status names. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0
 * when the bytes there are not one (overlong, surrogate, past U+10FFFF,
 * cut short). */
static int utf8_seq(const unsigned char *s, unsigned *cp) {
  unsigned c = s[0];
  int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (!n || c >= 0xf8) return 0;
  unsigned v = c & (0x7f >> n);
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = v << 6 | (s[i] & 0x3f);
  }
  static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return n;
}

/* Code points that would change how the rest of the line shows. */
static int hidden_cp(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
         cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

size_t ae_text_escape(char *dst, size_t cap, const char *src) {
  if (!dst || !cap) return 0;
  if (!src) src = "(null)";
  const unsigned char *s = (const unsigned char *)src;
  size_t o = 0;
  while (*s) {
    char esc[16];
    const char *put = esc;
    size_t len, adv = 1;
    unsigned cp;
    int n;
    if (*s >= 0x20 && *s < 0x7f) {
      put = (const char *)s, len = 1;
    } else if (*s == '\n' || *s == '\t' || *s == '\r') {
      len = (size_t)snprintf(esc, sizeof esc, "\\%c", *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
    } else if (*s >= 0x80 && (n = utf8_seq(s, &cp)) > 0) {
      adv = (size_t)n;
      if (hidden_cp(cp)) len = (size_t)snprintf(esc, sizeof esc, "\\u{%04x}", cp);
      else put = (const char *)s, len = (size_t)n;
    } else {
      len = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *s);
    }
    if (o + len >= cap) break; /* never cut an escape or a character in two */
    memcpy(dst + o, put, len);
    o += len;
    s += adv;
  }
  dst[o] = 0;
  return o;
}

ae_status ae_set_error(ae_status st, const char *fmt, ...) {
  char raw[sizeof last_error];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  ae_text_escape(last_error, sizeof last_error, raw);
  return st;
}

void ae_error_prefix(const char *prefix) {
  char tmp[sizeof last_error];
  size_t n = ae_text_escape(tmp, sizeof tmp / 2, prefix);
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
  case AE_ERR_UNSUPPORTED: return "not in this build";
  }
  return "unknown status";
}
