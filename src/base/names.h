/* SPDX-License-Identifier: MIT */
/* names.h — a list of class names (label i is called v[i]), as a data set
 * and a model keep them. */
#ifndef AE_NAMES_H
#define AE_NAMES_H

#include "aekit.h"

#include <stddef.h>

typedef struct ae_names {
  char **v; /* (n) NUL-terminated names, or NULL when n is 0 */
  int n;
} ae_names;

/* Replace *dst with a checked copy of names[0, n) (n 0: no names). Each
 * name is 1..AE_CLASS_NAME_MAX bytes without control characters, and no
 * two are equal; `what` starts the error message. *dst is unchanged on
 * failure. */
ae_status ae_names_set(ae_names *dst, const char *const *names, int n, const char *what);
void ae_names_clear(ae_names *names);
/* The index of the name [s, s + len) in names, or -1. */
int ae_names_find(const ae_names *names, const char *s, size_t len);

#endif
