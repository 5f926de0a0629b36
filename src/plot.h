/* plot.h — PLplot pictures written safely (see plot.c): one mutex around
 * PLplot's global state, its errors caught instead of exit(), the picture
 * checked and renamed into place. */
#ifndef AE_PLOT_H
#define AE_PLOT_H

#include "aekit.h"

/* Draws one picture in a fresh PLplot stream that already has the
 * pngcairo device, its file and its page size set: fn sets the colours,
 * calls plinit() and draws. It must not call plend. */
typedef void (*ae_plot_fn)(void *ctx);

/* Write a width x height PNG at path through fn, atomically. */
ae_status ae_plot_png(const char *path, int width, int height, ae_plot_fn fn, void *ctx);

/* A title as PLplot should show it: invalid UTF-8 and control characters
 * become '?', '#' is doubled. Caller frees; NULL when out of memory. */
char *ae_plot_title(const char *title);

#endif
