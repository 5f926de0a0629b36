/* SPDX-License-Identifier: MIT */
/* names.c — class names: checked copies, look-up. */
#define _DEFAULT_SOURCE /* strdup */
#include "names.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

void ae_names_clear(ae_names *names) {
  if (!names) return;
  for (int i = 0; i < names->n; i++) free(names->v[i]);
  free(names->v);
  names->v = NULL;
  names->n = 0;
}

int ae_names_find(const ae_names *names, const char *s, size_t len) {
  for (int i = 0; names && i < names->n; i++)
    if (strlen(names->v[i]) == len && !memcmp(names->v[i], s, len)) return i;
  return -1;
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

ae_status ae_names_set(ae_names *dst, const char *const *names, int n, const char *what) {
  if (n < 0 || n > AE_MAX_CLASSES)
    return ae_set_error(AE_ERR_ARG, "%s: %d class names, at most %d", what, n, AE_MAX_CLASSES);
  if (n && !names) return ae_set_error(AE_ERR_ARG, "%s: class names are NULL", what);
  for (int i = 0; i < n; i++) {
    const char *s = names[i];
    if (!s) return ae_set_error(AE_ERR_ARG, "%s: class name %d is NULL", what, i);
    size_t len = strlen(s);
    if (len == 0 || len > AE_CLASS_NAME_MAX)
      return ae_set_error(AE_ERR_ARG, "%s: class name %d has %zu bytes (1 to %d)", what, i, len,
                          AE_CLASS_NAME_MAX);
    for (size_t j = 0; j < len; j++)
      if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f)
        return ae_set_error(AE_ERR_ARG, "%s: class name %d holds a control character", what, i);
  }
  /* distinct: sorted copies of the pointers, compared neighbour by neighbour */
  const char **sorted = n ? malloc((size_t)n * sizeof *sorted) : NULL;
  if (n && !sorted) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", what);
  for (int i = 0; i < n; i++) sorted[i] = names[i];
  qsort(sorted, (size_t)n, sizeof *sorted, by_text);
  for (int i = 1; i < n; i++)
    if (!strcmp(sorted[i - 1], sorted[i])) {
      ae_status st = ae_set_error(AE_ERR_ARG, "%s: class name '%s' given twice", what, sorted[i]);
      free(sorted);
      return st;
    }
  free(sorted);
  ae_names copy = {n ? calloc((size_t)n, sizeof(char *)) : NULL, n};
  if (n && !copy.v) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", what);
  for (int i = 0; i < n; i++)
    if (!(copy.v[i] = strdup(names[i]))) {
      ae_names_clear(&copy);
      return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", what);
    }
  ae_names_clear(dst);
  *dst = copy;
  return AE_OK;
}
