/* SPDX-License-Identifier: MIT */
/* main.c — aekit <command>: dispatch, --help, --version, and the start and
 * end of an MPI job's ranks. */
#include "cli.h"
#include "apps.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

struct command {
  const char *name;
  int (*run)(int, char **);
  const char *help;
};

static const struct command commands[] = {
    {"train", cmd_train, "train an autoencoder and save it"},
    {"eval", cmd_eval, "loss, MSE and PSNR of a model on a data set"},
    {"encode", cmd_encode, "write the codes of a data set (CSV or NPY)"},
    {"decode", cmd_decode, "turn codes back into images"},
    {"reconstruct", cmd_reconstruct, "PNG grid of originals above reconstructions"},
    {"denoise", cmd_denoise, "clean corrupted images; picture of noisy, denoised, clean"},
    {"colorize", cmd_colorize, "colour images with a --noise grey model; grey, colourised, original"},
    {"generate", cmd_generate, "VAE: decode codes drawn from the prior"},
    {"interpolate", cmd_interpolate, "decodings along the line between two codes"},
    {"manifold", cmd_manifold, "2-d code: a grid of decodings over the code plane"},
    {"scatter", cmd_scatter, "codes coloured by label (PCA of the codes beyond 2-d)"},
    {"info", cmd_info, "show what a model file holds"},
    {"export", cmd_export, "write a model, its encoder or its decoder as ONNX"},
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
    fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
  fprintf(f, "\n  help COMMAND   the command's options (as aekit COMMAND --help)\n"
             "  -h, --help     this text\n  -V, --version  the version\n\n"
             "A long option may be shortened to any prefix that names one option\n"
             "of the command (--out for --output); --name=VALUE works too.\n");
}

/* A command, as one rank of an MPI job when mpirun started the program:
 * only rank 0 prints and writes; a rank that fails ends the whole job
 * (MPI_Abort) instead of leaving the others waiting in a sum. */
static int run_command(const struct command *c, int argc, char **argv) {
  if (ae_mpi_init(&argc, &argv)) return cli_fail();
  int ranks = ae_mpi_size(), rc;
  if (ranks > 1 && ae_mpi_rank() != 0 && !freopen("/dev/null", "w", stdout))
    rc = cli_error("cannot quiet rank %d's output", ae_mpi_rank());
  else if (ranks > 1 && strcmp(c->name, "train") && strcmp(c->name, "eval") &&
           strcmp(c->name, "encode") && strcmp(c->name, "score"))
    rc = cli_error("%s does not run across ranks (run it without mpirun; train, eval, encode "
                   "and score do)", c->name);
  else {
    if (ranks == 1 || ae_mpi_rank() == 0) cli_progress_begin(); /* rank 0 draws the bar */
    rc = c->run(argc - 1, argv + 1);
    cli_progress_end();
  }
  if (ranks > 1 && rc) {
    fflush(stderr);
    ae_mpi_abort(rc);
  }
  ae_mpi_finalize();
  return rc;
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
  if (!strcmp(cmd, "help") && argc > 2) { /* aekit help COMMAND = aekit COMMAND --help */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
      if (!strcmp(argv[2], commands[i].name)) {
        char *args[3] = {argv[0], argv[2], "--help"};
        return commands[i].run(2, args + 1);
      }
    return cli_error("help: unknown command '%s' (see aekit --help)", argv[2]);
  }
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("aekit %s%s\n", ae_version(), ae_mpi_available() ? " (with MPI)" : "");
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return run_command(&commands[i], argc, argv);
  return cli_error("unknown command '%s' (see aekit --help)", cmd);
}
