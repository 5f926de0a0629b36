/* SPDX-License-Identifier: MIT */
/* apps.h — the application commands (anomaly scores, probes, PCA,
 * retrieval, inpainting) and what they share. */
#ifndef AE_CLI_APPS_H
#define AE_CLI_APPS_H

#include "cli.h"

/* Parse a command that takes its model as MODEL or --model MODEL (opts
 * must hold {"--model", ...} writing to *model). Returns as cli_parse. */
int apps_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_opt *opts,
               const char **model);

/* is_anomaly[i] from labels[i]: with `anomaly` (a list "3,5") those classes
 * are anomalies; with `normal` every class but those; with neither, labels
 * must be 0/1 and 1 is the anomaly. Returns 0, or 1 after printing. */
int apps_anomaly_truth(int *is_anomaly, const ae_dataset *ds, const char *anomaly,
                       const char *normal, const char *cmd);

/* The codes of a whole data set (caller frees). Returns 0, or 1 after printing. */
int apps_encode(float **codes, ae_model *m, const ae_dataset *ds);

/* Queries per call of the k-NN and Hamming searches, so that the progress
 * bar moves: a multiple of the library's block of queries (knn.c's 256),
 * and every query's neighbours are its own, so the slices change nothing
 * in the results. */
#define APPS_QUERY_SLICE ((size_t)2048)

/* Nearest-neighbour accuracy (k) and linear-probe accuracy of codes, as
 * aekit probe prints them; lp may be NULL to skip the linear probe.
 * knn_pred and lp_pred (nt each, may be NULL) get the predictions. */
int apps_probe(double *knn, double *lp, const float *train, const int32_t *train_labels,
               size_t n, const float *test, const int32_t *test_labels, size_t nt, size_t z,
               int k, int steps, int32_t *knn_pred, int32_t *lp_pred);

int cmd_score(int argc, char **argv);
int cmd_fit_threshold(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_pca(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_inpaint(int argc, char **argv);

#endif
