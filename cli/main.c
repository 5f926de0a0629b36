/* main.c — aekit <command>: dispatch, --help, --version. */
#include "cli.h"
#include "apps.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run)(int, char **);
  const char *help;
} commands[] = {
    {"train", cmd_train, "train an autoencoder and save it"},
    {"eval", cmd_eval, "loss, MSE and PSNR of a model on a data set"},
    {"encode", cmd_encode, "write the codes of a data set (CSV or NPY)"},
    {"decode", cmd_decode, "turn codes back into images"},
    {"reconstruct", cmd_reconstruct, "PNG grid of originals above reconstructions"},
    {"denoise", cmd_denoise, "clean corrupted images; picture of noisy, denoised, clean"},
    {"generate", cmd_generate, "VAE: decode codes drawn from the prior"},
    {"interpolate", cmd_interpolate, "decodings along the line between two codes"},
    {"manifold", cmd_manifold, "2-d code: a grid of decodings over the code plane"},
    {"scatter", cmd_scatter, "codes coloured by label (PCA of the codes beyond 2-d)"},
    {"info", cmd_info, "show what a model file holds"},
    {"score", cmd_score, "anomaly scores; with labels ROC AUC, AP, F1, ROC curve"},
    {"fit-threshold", cmd_fit_threshold, "store an anomaly threshold in a model"},
    {"probe", cmd_probe, "k-NN and linear-probe accuracy of the codes"},
    {"pca", cmd_pca, "fit PCA and save it as a model"},
    {"compare", cmd_compare, "autoencoder vs PCA: MSE, PSNR, probe accuracy"},
    {"search", cmd_search, "nearest neighbours in code space; precision@k; picture"},
    {"inpaint", cmd_inpaint, "fill a masked region from the model; picture"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: aekit COMMAND [options]   (aekit COMMAND --help for its options)\n\n"
             "Autoencoders in C: train, save, load and use them on a CPU.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
  fprintf(f, "\n  --help       this text\n  --version    the version\n");
}

int main(int argc, char **argv) {
  /* A file past `ulimit -f` or a closed pipe becomes a write error with a
   * message (EFBIG, EPIPE), not a silent death with a partial temporary. */
  signal(SIGXFSZ, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("aekit %s\n", ae_version());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  return cli_error("unknown command '%s' (see aekit --help)", cmd);
}
