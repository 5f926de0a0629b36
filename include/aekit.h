/* SPDX-License-Identifier: MIT */
/* aekit.h — autoencoders in C: train, save, load and use them on a CPU.
 *
 * Overview
 * --------
 * An autoencoder is an encoder stack, a code, and a decoder stack trained to
 * give back its input. aekit builds one from a short text spec, trains it
 * with Adam or SGD on a data set read from IDX, CSV or NPY files, saves it as
 * a .safetensors file (weights as named float32 tensors, architecture and
 * input scaling as JSON metadata) and uses it: encode, decode, reconstruct,
 * evaluate, draw pictures.
 *
 * Contract (the same for every function below)
 * --------------------------------------------
 * - Functions that can fail return ae_status; AE_OK is 0. On failure
 *   ae_last_error() returns one line naming the file or argument and the
 *   problem. The message is per thread.
 * - Objects are opaque handles created by ae_<thing>_create/_load and released
 *   by ae_<thing>_free; every *_free(NULL) does nothing.
 * - Output parameters come first. Arrays are float32, row-major; a batch of n
 *   samples of dimension d is n*d floats.
 * - The library never prints and never calls exit().
 * - A NULL pointer, a negative or out-of-range count, or a count whose
 *   buffers could not fit in memory gives AE_ERR_ARG, never a crash
 *   (tests/test_api.c calls every function so, each in its own process).
 *   Accessors given NULL return 0, NULL or "" and write 0 to outputs; an
 *   output pointer given as NULL to a void accessor is skipped.
 * - Everything read from a file is checked against the file's own size and
 *   AE_LOAD_LIMIT before it is trusted or allocated.
 *
 * Example (compiles as is: cc ex.c $(pkg-config --cflags --libs aekit))
 * -------
 *   #include <aekit.h>
 *   #include <stdio.h>
 *   int main(void) {
 *     ae_dataset *train = NULL;
 *     ae_model *model = NULL;
 *     ae_train_options opt;
 *     ae_train_options_defaults(&opt);
 *     opt.epochs = 5;
 *     if (ae_dataset_load(&train, "/usr/share/datasets/fashion-mnist/"
 *                         "train-images-idx3-ubyte.gz", NULL) ||
 *         ae_dataset_scale(train, 0.0f, 255.0f) ||
 *         ae_model_create(&model, "dense", 1, 28, 28, 42) ||
 *         ae_model_set_scaling(model, 0.0f, 255.0f) ||
 *         ae_train(model, train, NULL, &opt, NULL) ||
 *         ae_model_save(model, "dense.safetensors")) {
 *       fprintf(stderr, "error: %s\n", ae_last_error());
 *       return 1;
 *     }
 *     ae_model_free(model);
 *     ae_dataset_free(train);
 *     return 0;
 *   }
 */
#ifndef AEKIT_H
#define AEKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AE_VERSION_STRING "0.1.0"

/* ---- status ------------------------------------------------------------ */

typedef enum ae_status {
  AE_OK = 0,
  AE_ERR_NOMEM,    /* an allocation failed */
  AE_ERR_IO,       /* a file could not be opened, read or written */
  AE_ERR_FORMAT,   /* a file's contents do not fit its format */
  AE_ERR_ARG,      /* an argument or option is invalid */
  AE_ERR_SHAPE,    /* sizes do not match (data vs model, model file vs spec) */
  AE_ERR_NUMERIC,  /* NaN or infinity where a finite number is required */
  AE_ERR_INTERNAL, /* a broken invariant: a bug in aekit */
  AE_ERR_UNSUPPORTED /* not in this build (pictures in a build without PLplot) */
} ae_status;

/* Short name of a status ("malformed file"). Never NULL. */
const char *ae_status_string(ae_status st);
/* The message of the last failure in this thread ("" if none). It is one
 * printable line whatever the files held: bytes taken from a file or an
 * argument pass through ae_text_escape. */
const char *ae_last_error(void);
/* Copy `src` into dst[cap] (always terminated, cut short if need be) as one
 * printable line: valid UTF-8 and printable ASCII pass; tab, newline and
 * carriage return become \t \n \r; other control bytes, C1 controls,
 * bidirectional overrides and bytes that are not valid UTF-8 become \xNN
 * (a code point: \u{NNNN}). For programs that print text from files.
 * Returns the length written. */
size_t ae_text_escape(char *dst, size_t cap, const char *src);
/* Library version, AE_VERSION_STRING. */
const char *ae_version(void);

/* ---- ranks of an MPI job -------------------------------------------------- */

/* Under `mpirun` (and built with MPI: ae_mpi_size() says), call ae_mpi_init
 * once, from the thread that will train, before any other call: the process
 * becomes one rank of the job. ae_train then trains data-parallel: every
 * rank holds the same model and data, takes its share of every batch (the
 * same global batch whatever the number of ranks), and the gradients,
 * batch-norm statistics, the code's batch means and the loss are summed
 * over the ranks; only rank 0 writes checkpoints. Without mpirun, or built
 * without MPI, it does nothing and there is one rank. ae_mpi_abort ends
 * every rank of the job with `code` (for a program whose one rank failed
 * while the others wait; the library never calls it). */
ae_status ae_mpi_init(int *argc, char ***argv);
void ae_mpi_finalize(void);
void ae_mpi_abort(int code);
int ae_mpi_rank(void);
int ae_mpi_size(void);
/* 1 when the library was built with MPI. */
int ae_mpi_available(void);

/* ---- data sets ---------------------------------------------------------- */

/* A data set: n samples of dim floats each, an optional label per sample,
 * and an image shape (c, h, w) with c*h*w == dim ((1, 1, dim) for tables). */
typedef struct ae_dataset ae_dataset;

/* What reading a file may make aekit allocate, unless told otherwise:
 * 4 GiB (on 64-bit systems). Every size a file states is checked against
 * the file's own length and this limit before anything is allocated. */
#define AE_LOAD_LIMIT ((size_t)1 << (sizeof(size_t) >= 8 ? 32 : 30))

/* ae_load_options.csv_label_column: the last column. */
#define AE_CSV_LAST_COLUMN (-3)

typedef struct ae_load_options {
  const char *labels_path; /* IDX labels file to attach, or NULL */
  int csv_header;          /* CSV: 1 = first row is a header, 0 = none, -1 = detect */
  int csv_label_column;    /* CSV: column index holding labels (0-based),
                              AE_CSV_LAST_COLUMN, or -1 = none */
  const char *csv_label_name; /* CSV: the label column by its name in the header
                                 (instead of csv_label_column), or NULL */
  const char *csv_drop;    /* CSV: columns not read, comma-separated header names
                              or 0-based indices ("id,2"), or NULL */
  int csv_delimiter;       /* CSV: ',', ';' or '\t'; 0 = detect from the first line
                              (';' where it has one, else ',', else a tab; a tab
                              for *.tsv) */
  int csv_time_column;     /* CSV: a column to skip (timestamps), -1 = none, -2 = the
                              first column when it is not a number on the first
                              data row (a series' time stamps) */
  size_t max_samples;      /* read at most this many samples (0 = all) */
  size_t max_bytes;        /* memory the data may take (0 = AE_LOAD_LIMIT) */
  int image_channels;        /* PNG: 0 = as stored (gray: (1, H, W), colour: RGB
                              (3, H, W), alpha dropped), 1 = converted to gray
                              (libpng's luminance weights), 3 = RGB (gray
                              copied to all three); JPEG the same */
  int image_width, image_height; /* a folder of images: each resized to this
                              (bilinear, pixel centres aligned) when both > 0 */
  int patch, patch_stride; /* a folder of images: each cut into patch x patch
                              tiles every patch_stride pixels (0: patch) when
                              patch > 0; the tiles are the samples */
} ae_load_options;

void ae_load_options_defaults(ae_load_options *opt);

/* Read a data set. The format comes from the name: *.csv or *.tsv, *.npy,
 * *.npz (one array: "FILE.npz:ARRAY", or the only one, or x, X, data or
 * arr_0; its labels from the array beside it, y for x, unless labels_path
 * names others, which may be "FILE.npz:ARRAY" too), *.png (one
 * image, one sample: gray (1, H, W) or colour (3, H, W), see image_channels),
 * *.jpg or *.jpeg (the same, through libjpeg-turbo); a folder: its PNG and
 * JPEG images in name order, or one sub-folder per class (labels in the
 * sub-folders' name order, their names the class names), resized or cut
 * into patches as the options say, otherwise IDX (plain or gzip-compressed). Values are kept as read (0..255 for uint8
 * sources); see ae_dataset_scale. opt may be NULL for defaults. Rejects
 * truncated files, sizes that overflow, ragged rows, NaN and infinity. */
ae_status ae_dataset_load(ae_dataset **out, const char *path,
                          const ae_load_options *opt);

/* The same from bytes in memory (an embedded file, a network buffer):
 * `name` gives the format as a file name would (*.csv, *.npy, *.png, else
 * IDX, gzip or not) and is what messages name. The bytes are copied;
 * opt->labels_path, if set, is still a file. */
ae_status ae_dataset_load_memory(ae_dataset **out, const void *data, size_t size,
                                 const char *name, const ae_load_options *opt);

/* Wrap a copy of n*dim floats (and n labels, or NULL) as a data set. */
ae_status ae_dataset_from_array(ae_dataset **out, const float *x, size_t n,
                                size_t dim, const int32_t *labels);

size_t ae_dataset_count(const ae_dataset *ds);
size_t ae_dataset_dim(const ae_dataset *ds);
void ae_dataset_shape(const ae_dataset *ds, int *c, int *h, int *w);
/* Set the image shape; c*h*w must equal the dimension. */
ae_status ae_dataset_set_shape(ae_dataset *ds, int c, int h, int w);
/* The values, (n, dim). Data read from uint8 and int8 files is stored as
 * bytes (a quarter of the memory) and converted on the fly where aekit reads
 * it; the first call here turns the bytes into floats in place and keeps
 * them (NULL if out of memory, the bytes then kept), so make that first
 * call before sharing the data set between threads. */
const float *ae_dataset_data(const ae_dataset *ds);
const int32_t *ae_dataset_labels(const ae_dataset *ds);  /* (n) or NULL */
/* Class names: label i of a data set is called by name i. A CSV whose
 * label column holds words gets them sorted (byte order, as scikit-learn's
 * LabelEncoder sorts them), label i being the i-th; other data sets have
 * none until given. Names are 1..AE_CLASS_NAME_MAX bytes without control
 * characters, all different, at most AE_MAX_CLASSES. */
#define AE_MAX_CLASSES 65536
#define AE_CLASS_NAME_MAX 255
/* The number of names, 0 when the data set has none. */
int ae_dataset_class_count(const ae_dataset *ds);
/* The name of a label, or NULL (no names, or the label has none). */
const char *ae_dataset_class_name(const ae_dataset *ds, int32_t label);
/* Name the labels 0..k-1 (k 0: forget the names). Every label of ds must
 * lie in [0, k). */
ae_status ae_dataset_set_class_names(ae_dataset *ds, const char *const *names, int k);
/* Relabel a data set that has class names into another list of names (a
 * model's): each label becomes the index of its name in names[0, k);
 * names ds has and the list lacks are appended after them, in ds's
 * order, and ds then carries the extended list. A data set without names
 * is left as it is. */
ae_status ae_dataset_adopt_class_names(ae_dataset *ds, const char *const *names, int k);
/* Fashion-MNIST's ten class names, for labels 0..9 ("T-shirt/top" ...
 * "Ankle boot"). */
const char *const *ae_fashion_mnist_classes(void);
/* The value range the source format implies: [0, 255] for uint8 data, the
 * observed minimum and maximum otherwise. */
void ae_dataset_range(const ae_dataset *ds, float *lo, float *hi);

/* Map values in place: x -> (x - lo) / (hi - lo). hi must exceed lo. */
ae_status ae_dataset_scale(ae_dataset *ds, float lo, float hi);

/* Copy samples [start, start+count) into a new data set. */
ae_status ae_dataset_slice(ae_dataset **out, const ae_dataset *ds,
                           size_t start, size_t count);

/* Copy the samples whose label is one of keep[0, n_keep) (in their order)
 * into a new data set. The data set must have labels. */
ae_status ae_dataset_select_labels(ae_dataset **out, const ae_dataset *ds,
                                   const int32_t *keep, size_t n_keep);

/* Split into a shuffled training part and a validation part holding
 * round(fraction * n) samples; 0 < fraction < 1. */
ae_status ae_dataset_split(ae_dataset **train, ae_dataset **val,
                           const ae_dataset *ds, double fraction,
                           uint64_t seed);

void ae_dataset_free(ae_dataset *ds);

/* ---- time series ----
 * A series is a data set of n time steps with F values each (a CSV's rows =
 * time, columns = channels; a (T,) or (T, F) NPY). Sequence models take
 * windows of it: samples of shape (1, W, F) — W steps, channels last. */

/* How a series' channels are scaled: each channel c as x -> (x - shift[c]) /
 * scale[c], from statistics of the training data. */
typedef enum ae_channel_scaling {
  AE_CHANNELS_NONE = 0,   /* shift 0, scale 1 */
  AE_CHANNELS_ZSCORE = 1, /* mean and standard deviation (population) */
  AE_CHANNELS_MINMAX = 2  /* min and max - min */
} ae_channel_scaling;

/* shift and scale (`channels` floats each) of ds, whose values belong to
 * channel (index mod channels): a series (n, F) or windows (n, W, F). A
 * constant channel gets scale 1. */
ae_status ae_dataset_fit_channels(const ae_dataset *ds, int channels, ae_channel_scaling kind,
                                  float *shift, float *scale);
/* Apply x -> (x - shift[c]) / scale[c] in place. */
ae_status ae_dataset_scale_channels(ae_dataset *ds, int channels, const float *shift,
                                    const float *scale);
/* Cut a series (n steps of F values) into windows of `window` steps every
 * `stride` steps: (n - window) / stride + 1 samples of shape (1, window, F).
 * A labelled series (one label per step) gives each window the largest label
 * of its steps (1 = some step is anomalous). */
ae_status ae_dataset_windows(ae_dataset **out, const ae_dataset *series, int window, int stride);

/* Per-step anomaly scores of a series of `steps` steps from the scores of
 * its windows (window w covers steps [w*stride, w*stride + window)): mean
 * (steps) is the mean of the scores of the windows covering each step (NaN
 * for a step no window covers); flagged (steps, may be NULL) is 1 where
 * every window covering the step scores above threshold (the Keras
 * example's rule), else 0. */
ae_status ae_series_step_scores(float *mean, unsigned char *flagged, const float *window_scores,
                                size_t n_windows, int window, int stride, size_t steps,
                                double threshold);

/* AE_OK if a file can be written at `path` now: the checks every writer
 * makes (not a directory, a dangling symlink, a block device or a socket),
 * and a temporary created and removed in its folder, so that a program can
 * refuse a bad output before a long computation rather than after it. */
ae_status ae_output_check(const char *path);

/* Write n rows of dim floats as NPY (float32, when path ends in .npy) or as
 * CSV (otherwise), atomically. */
ae_status ae_array_save(const char *path, const float *x, size_t n,
                        size_t dim);
/* Write n rows of dim doubles as CSV under a header line (NULL: none),
 * atomically: integral values as integers, others to 9 significant
 * digits (a float's round trip). */
ae_status ae_table_save(const char *path, const char *header, const double *x, size_t n,
                        size_t dim);

/* ---- models ------------------------------------------------------------- */

/* An autoencoder: encoder layers, code, decoder layers, a loss. */
typedef struct ae_model ae_model;

typedef enum ae_loss { AE_LOSS_BCE = 0, AE_LOSS_MSE = 1 } ae_loss;

/* Build a model for inputs of shape (c, h, w) from a spec, initialised from
 * `seed` (Glorot uniform for sigmoid/tanh/identity layers, He uniform for
 * relu-family layers, biases zero).
 *
 * Spec syntax:  ( ENCODER [ "|" DECODER ] | PRESET ) { ";" OPTION }
 *   layer  = "dense:" UNITS ":" ACTIVATION, conv, convt, bn, maxpool,
 *            upsample, dropout, flatten, reshape, sample (see README)
 *   activation = relu | leaky_relu[:SLOPE] | sigmoid | tanh | identity
 *   option = loss=bce|mse, beta=B (VAE KL weight), l1=L (L1 activity on the
 *            code), sparsity=RHO:B (KL sparsity), contractive=L, l2=L
 * Without a decoder, the decoder mirrors the encoder's hidden sizes and
 * activations and ends in a dense layer of c*h*w units with sigmoid. The
 * named presets are "dense" (784-32-784) and "deep" (784-128-64-32-64-128-
 * 784), both relu inside, sigmoid out, binary cross-entropy; "conv",
 * "conv-pool", "vae" (784-400-20, the PyTorch examples VAE) and "conv-vae"
 * (the Keras VAE example, 2-d latent). A preset takes options too
 * ("vae;beta=0.5"). */
ae_status ae_model_create(ae_model **out, const char *spec, int c, int h,
                          int w, uint64_t seed);

typedef enum ae_init {
  AE_INIT_KERAS = 0, /* He uniform (relu family) / Glorot uniform, bias 0 */
  AE_INIT_TORCH = 1  /* PyTorch nn.Linear: weight, bias ~ U(+-1/sqrt(fan_in)) */
} ae_init;

/* Re-draw every parameter from `seed` with the given scheme. Models are
 * created with AE_INIT_KERAS. */
ae_status ae_model_init(ae_model *m, ae_init scheme, uint64_t seed);

/* Write to path (via a temporary file, flushed and renamed). */
ae_status ae_model_save(const ae_model *m, const char *path);
/* Read a model file; every length, offset, dtype and shape is checked. */
ae_status ae_model_load(ae_model **out, const char *path);
/* The same from the bytes of a model file in memory; `name` is what
 * messages say. */
ae_status ae_model_load_memory(ae_model **out, const void *data, size_t size,
                               const char *name);
/* Read a model file and refuse it unless its architecture equals `m`'s;
 * on success copies its weights into m. */
ae_status ae_model_load_weights(ae_model *m, const char *path);
void ae_model_free(ae_model *m);

/* Which part of a model an ONNX export holds. */
typedef enum ae_export_part {
  AE_EXPORT_FULL = 0,    /* input -> reconstruction ("input" -> "output") */
  AE_EXPORT_ENCODER = 1, /* input -> code ("input" -> "code", (N, Z)) */
  AE_EXPORT_DECODER = 2  /* code -> reconstruction ("code" -> "output") */
} ae_export_part;

/* Write a part of m as an ONNX model (opset 17, IR version 8), via a
 * temporary file as ae_model_save. It computes what ae_model_encode,
 * ae_model_decode and ae_model_reconstruct do: evaluation mode (dropout
 * off, batch norm on its running statistics, a VAE's code is its mean),
 * on inputs already scaled. The batch dimension is symbolic ("N"); the
 * input is (N, D) for a model that starts with a dense layer, (N, C, H, W)
 * for a convolutional one, (N, T, F) for a sequence model, and the output
 * of a full or decoder part has the same form. The initializers keep the
 * model file's tensor names and layouts (a recurrent layer's are stacked
 * in ONNX's gate order as "<layer>.W", ".R", ".B"); metadata_props hold
 * the spec, the part and the input scaling. */
ae_status ae_model_export_onnx(const ae_model *m, const char *path, ae_export_part part);

size_t ae_model_input_dim(const ae_model *m);
size_t ae_model_code_dim(const ae_model *m);
size_t ae_model_param_count(const ae_model *m);
void ae_model_input_shape(const ae_model *m, int *c, int *h, int *w);
ae_loss ae_model_loss(const ae_model *m);
/* The canonical spec ("dense:32:relu|dense:784:sigmoid;loss=bce"). */
const char *ae_model_spec(const ae_model *m);
/* The metadata JSON stored in the model file (architecture, training
 * settings, scaling, history summary). Owned by the model. */
const char *ae_model_metadata(const ae_model *m);

/* Per-feature scaling of a table (sklearn's StandardScaler or MinMaxScaler):
 * feature j as x -> (x - shift[j]) / scale[j], input_dim floats each, fitted
 * on the training data (ae_dataset_fit_channels with channels = input_dim),
 * stored as the model file's "features" metadata. The model's lo/hi scaling
 * then stays (0, 1). */
ae_status ae_model_set_feature_scaling(ae_model *m, ae_channel_scaling kind, const float *shift,
                                       const float *scale);
/* 1 and kind, shift, scale (input_dim floats each, may be NULL) when m has
 * per-feature scaling, else 0. */
int ae_model_feature_scaling(const ae_model *m, ae_channel_scaling *kind, float *shift,
                             float *scale);

/* The names of the classes of the data a model was trained on (label i is
 * called name i), kept in the model file's "classes" metadata; k 0 forgets
 * them. Names as ae_dataset_set_class_names takes them. */
ae_status ae_model_set_class_names(ae_model *m, const char *const *names, int k);
int ae_model_class_count(const ae_model *m);
/* The name of a label, or NULL. */
const char *ae_model_class_name(const ae_model *m, int32_t label);

/* One layer of a model, as `aekit info` lists them (Keras' summary()). */
typedef struct ae_layer_summary {
  char spec[128];  /* the layer as spec text, e.g. "lstm:64:out=last" */
  int c, h, w;     /* its output shape per sample */
  size_t params;   /* its trainable parameters */
  int decoder;     /* 0: a layer of the encoder, 1: of the decoder */
  double flops;    /* its forward pass per sample in weight products (dense,
                      convolution, recurrent), 2 per multiply-add */
} ae_layer_summary;

/* The number of layers (encoder then decoder), 0 for NULL. */
int ae_model_layer_count(const ae_model *m);
/* Layer i (0-based) of m. */
ae_status ae_model_layer_summary(const ae_model *m, int i, ae_layer_summary *out);
/* The model's forward FLOPs per sample, as the summaries' sum (0 for NULL):
 * the work of its weight products. A training step costs about 3 times
 * that a sample (forward, input gradients, weight gradients). */
double ae_model_flops(const ae_model *m);

/* Input scaling recorded in the model: x -> (x - lo) / (hi - lo). */
ae_status ae_model_set_scaling(ae_model *m, float lo, float hi);
void ae_model_scaling(const ae_model *m, float *lo, float *hi);

/* How a model's input scaling is fitted on training data. */
typedef enum ae_scale_kind {
  AE_SCALE_AUTO = 0,     /* lo/hi: the range the data's format implies (ae_dataset_range:
                            0..255 for uint8 files, else the observed min and max) */
  AE_SCALE_NONE = 1,     /* lo/hi 0/1: the values as given */
  AE_SCALE_STANDARD = 2, /* per feature: z-score (scikit-learn's StandardScaler) */
  AE_SCALE_MINMAX = 3    /* per feature: to [0, 1] (MinMaxScaler) */
} ae_scale_kind;

/* Fit m's input scaling on the raw training data ds and record it in m
 * (ae_model_set_scaling, and ae_model_set_feature_scaling for the
 * per-feature kinds). */
ae_status ae_model_fit_scaling(ae_model *m, const ae_dataset *ds, ae_scale_kind kind);
/* Give dst the input scaling src records (lo/hi, per-feature scaling and
 * the training range); both take inputs of the same size. For a model
 * fitted on data another model scaled (aekit pca --scale standard). */
ae_status ae_model_copy_scaling(ae_model *dst, const ae_model *src);
/* Scale raw data in place as m records it (per feature first, then lo/hi):
 * a data set, or n samples of ae_model_input_dim floats. Both give the
 * same bits. (A series model's windows come scaled from
 * ae_dataset_windows with the model's series scaling.) */
ae_status ae_model_scale_dataset(const ae_model *m, ae_dataset *ds);
ae_status ae_model_scale_inputs(const ae_model *m, float *x, size_t n);

/* Where later inputs lie against the training data. ae_model_fit_scaling
 * records the range of the training data in the model's scaled units (per
 * feature for a table with per-feature scaling, else over all values, as
 * the model file's "range" metadata). A value lies far outside it when it
 * is more than the range's width beyond either end (for a feature whose
 * training values were all equal, the width over all features). */
typedef struct ae_range_check {
  int recorded;     /* 0: the model records no range (older files, or
                       scaling set by hand); the rest is then zero */
  size_t outside;   /* samples with a value far outside the range */
  size_t values;    /* values far outside it, in all */
  size_t sample;    /* the sample with the farthest value, */
  int feature;      /* its index within the sample, */
  float value;      /* the value (scaled units), */
  float lo, hi;     /* the training range it lies outside, */
  double widths;    /* and how far beyond, in widths of that range */
} ae_range_check;
/* Check n already-scaled samples (ae_model_input_dim floats each). */
ae_status ae_model_check_range(const ae_model *m, const float *x, size_t n, ae_range_check *out);

/* A sequence model trained on windows of a series records how the series
 * becomes its inputs: the stride of the windows (their length is the
 * model's input height W, the channels its width F) and each channel's
 * scaling (F floats each), stored as the model file's "series" metadata. */
ae_status ae_model_set_series(ae_model *m, int stride, ae_channel_scaling kind,
                              const float *shift, const float *scale);
/* 1 and the stride, kind, and shift and scale (F floats each, may be NULL)
 * when m records a series, else 0. */
int ae_model_series(const ae_model *m, int *stride, ae_channel_scaling *kind, float *shift,
                    float *scale);

/* All parameters as one contiguous block of ae_model_param_count floats.
 * Layer order, weights (out, in) then bias, as in the model file. */
float *ae_model_params(ae_model *m);

/* Threads used by inference and evaluation (0, the default: all cores).
 * Training takes its own count (ae_train_options.threads). aekit runs its
 * own worker threads and sets OpenBLAS (a process-wide setting) to one
 * thread while it works, so the two never oversubscribe the cores. */
ae_status ae_model_set_threads(ae_model *m, int threads);

/* Progress of the batch functions below (encode, decode, reconstruct,
 * evaluate, scores, the VAE's bounds): fn(done, total, user) is called on
 * the calling thread as chunks of samples finish, done rising to total (this
 * rank's samples); the last call of each function has done == total. It
 * must not call into this model. NULL turns it off (the default). A program draws a
 * progress bar with it. */
typedef void (*ae_run_progress_fn)(size_t done, size_t total, void *user);
ae_status ae_model_set_run_progress(ae_model *m, ae_run_progress_fn fn, void *user);

/* In an MPI job (ae_mpi_init), on: the batch functions below (encode,
 * decode, reconstruct, evaluate, scores, the VAE's bounds) become
 * collective: every rank must call them with the same input; each computes
 * its share of the chunks and every rank gets the whole result, the same
 * bits as one process with threads x ranks threads. Off (the default): each
 * rank computes alone. ae_train turns it on for its validation passes. */
ae_status ae_model_set_distributed(ae_model *m, int on);

/* Inference (evaluation mode) on n already-scaled samples. */
ae_status ae_model_encode(ae_model *m, float *codes, const float *x,
                          size_t n);
ae_status ae_model_decode(ae_model *m, float *x_hat, const float *codes,
                          size_t n);
ae_status ae_model_reconstruct(ae_model *m, float *x_hat, const float *x,
                               size_t n);

typedef struct ae_eval_result {
  double loss;      /* the model's reconstruction loss, mean per element;
                       for a VAE the negative ELBO per sample (nelbo) */
  double mse;       /* mean squared error per element */
  double psnr;      /* 10 log10(1 / mse), data in [0, 1] */
  size_t count;
  double recon;     /* reconstruction loss per sample (summed over features;
                       nats for a VAE) */
  double kl;        /* VAE: KL(q(z|x) || N(0, I)) per sample, nats; else 0 */
  double nelbo;     /* VAE: recon + kl, negative ELBO per sample; else NaN */
  double code_mean; /* mean code value */
  double code_zero; /* fraction of code values with |h| < 0.01 */
  double jacobian;  /* mean over samples of |dh/dx|_F, the Jacobian of the
                       code layer's output with respect to its own input,
                       when the code layer is dense; else NaN */
} ae_eval_result;

/* Evaluate on an already-scaled data set whose dim fits the model. A VAE's
 * terms use draws of z from the model's seed, the same on every call. */
ae_status ae_model_evaluate(ae_model *m, ae_eval_result *res,
                            const ae_dataset *ds);

/* 1 when the model is variational (its encoder ends in a sampler). */
int ae_model_is_variational(const ae_model *m);

/* VAE: importance-weighted estimate of the negative log-likelihood per
 * sample (nats; Burda et al. 2016) with k draws of z per input, from
 * `seed`. k = 1 is a one-draw Monte Carlo ELBO; the estimate does not grow
 * with k (in expectation). */
ae_status ae_model_evaluate_iw(ae_model *m, double *nll, const ae_dataset *ds,
                               int k, uint64_t seed);

/* VAE: the negative ELBO of each of n already-scaled samples x (n, D) into
 * nelbo (n), nats: reconstruction at one draw of z (from the model's seed,
 * the same on every call) + KL. */
ae_status ae_model_sample_nelbo(ae_model *m, float *nelbo, const float *x,
                                size_t n);

/* VAE: n samples of the generative model: z ~ N(0, I) from `seed`,
 * decoded into x (n, D). Other models have no prior over codes: AE_ERR_ARG. */
ae_status ae_model_generate(ae_model *m, float *x, size_t n, uint64_t seed);

/* Corrupt `count` values (scaled to [0, 1]) in place with a noise model:
 * "gaussian:MEAN,STD" (added, then clipped to [0, 1]), "masking:P" (set to
 * 0), "salt-pepper:P" (set to 0 or 1), or "none"; drawn from `seed`. */
/* (and "grey", which needs the images' shape: ae_noise_corrupt_images) */
ae_status ae_noise_corrupt(float *x, size_t count, const char *noise,
                           uint64_t seed);

/* The same over n images of (c, h, w) values: also "grey", which sets each
 * pixel of an RGB image (c = 3; other counts: AE_ERR_ARG) to its luminance
 * (0.2126 R + 0.7152 G + 0.0722 B) in all three channels: a colourisation
 * model's input. */
ae_status ae_noise_corrupt_images(float *x, size_t n, int c, int h, int w, const char *noise,
                                  uint64_t seed);

/* Denoising quality on an already-scaled data set: corrupt a copy with
 * `noise` (from `seed`), then `noisy` gets MSE/PSNR of the corrupted inputs
 * against the clean ones and `denoised` the model's loss, MSE and PSNR of
 * its reconstructions of the corrupted inputs against the clean ones. */
ae_status ae_model_evaluate_denoising(ae_model *m, ae_eval_result *noisy,
                                      ae_eval_result *denoised,
                                      const ae_dataset *ds, const char *noise,
                                      uint64_t seed);

/* ---- training ----------------------------------------------------------- */

/* Adam and AdamW both decay weights decoupled from the gradient (AdamW's
 * rule; Adam's is the same update with weight_decay 0, its default). */
typedef enum ae_optimizer { AE_OPT_ADAM = 0, AE_OPT_SGD = 1, AE_OPT_ADAMW = 2 } ae_optimizer;

typedef struct ae_progress {
  int epoch, epochs;          /* 1-based epoch, total */
  size_t done, total;         /* samples done in this epoch, per epoch */
  double loss;                /* running mean training loss this epoch */
  double val_loss;            /* at epoch end; NaN without validation */
  double samples_per_s;       /* this epoch so far */
  double elapsed_s;           /* this epoch so far */
  int epoch_end;              /* 1 when called at the end of an epoch */
  int improved;               /* at epoch end: best so far (kept) */
} ae_progress;

typedef struct ae_train_options {
  int epochs;                 /* default 20 */
  int batch_size;             /* default 256 */
  ae_optimizer optimizer;     /* default Adam */
  float lr;                   /* default 1e-3 */
  float beta1, beta2, eps;    /* Adam: 0.9, 0.999, 1e-8 */
  float momentum;             /* SGD: default 0 */
  int nesterov;               /* SGD: Nesterov momentum */
  float weight_decay;         /* decoupled (AdamW-style / SGD L2), default 0 */
  uint64_t seed;              /* shuffling; default 42 */
  int threads;                /* worker threads, 0 = all cores; each takes a
                                 slice of every batch (see ae_model_set_threads) */
  int patience;               /* early stopping on validation loss; 0 = off */
  float min_delta;            /* improvement needed to reset patience */
  const char *checkpoint_path;/* write a checkpoint here after each epoch:
                                 the model plus everything training needs
                                 to go on (optimizer moments and step, the
                                 generators, the epoch and batch cursor,
                                 history, early-stopping state); it is a
                                 model file too (ae_model_load reads it) */
  int checkpoint_every;       /* also every N optimizer steps; 0 = per epoch */
  const char *resume_path;    /* resume from this checkpoint: m must hold its
                                 model (ae_model_load of the same file); the
                                 run goes on as if never stopped (the same
                                 bits with the same threads); a checkpoint of
                                 another architecture, data size, batch size,
                                 optimizer, noise or seed is refused */
  long stop_after;            /* stop, as an interruption would, after this
                                 many optimizer steps in all (counting those
                                 before a resume); 0 = run to the end */
  const char *lr_schedule;    /* "none" (NULL), "step:EPOCHS:GAMMA",
                                 "cosine[:MIN_LR]" or
                                 "plateau:PATIENCE:FACTOR[:MIN_LR]" (on the
                                 validation loss, else the training loss) */
  float lr_warmup;            /* linear warm-up of the rate over this many
                                 epochs (per batch); 0 = off */
  float kl_warmup;            /* VAE: the KL weight rises linearly from 0 to
                                 beta over this many epochs; 0 = off */
  const char *noise;          /* denoising: corrupt inputs (never targets)
                                 with "gaussian:MEAN,STD", "masking:P" or
                                 "salt-pepper:P", drawn afresh every batch;
                                 NULL or "none": plain autoencoder */
  void (*progress)(const ae_progress *p, void *user);
  void *user;
} ae_train_options;

void ae_train_options_defaults(ae_train_options *opt);

/* Per-epoch record of a training run. */
typedef struct ae_history ae_history;
int ae_history_epochs(const ae_history *h);
double ae_history_train_loss(const ae_history *h, int epoch); /* 0-based */
double ae_history_val_loss(const ae_history *h, int epoch);   /* NaN if none */
double ae_history_seconds(const ae_history *h, int epoch);
int ae_history_best_epoch(const ae_history *h);               /* 0-based */
ae_status ae_history_save_csv(const ae_history *h, const char *path);
void ae_history_free(ae_history *h);

/* Train m on already-scaled data. val may be NULL; with a noise model the
 * validation loss is that of denoising corrupted validation inputs (the
 * same corruption every epoch) against the clean ones. With validation and
 * patience > 0, stops after `patience` epochs without improvement and leaves
 * the weights of the best validation epoch in m (otherwise the last). The training settings and a history summary are
 * recorded in the model's metadata. history may be NULL.
 * Divergence: training stops with AE_ERR_NUMERIC, naming the epoch and step,
 * when a step's loss is NaN or infinite, or more than 10^4 times the first
 * step's (taken as at least 0.01), or when a weight's magnitude passes 10^6
 * times the data's largest magnitude (at least 1; checked at each epoch's
 * end and before each checkpoint). No checkpoint is written after it: the
 * last one kept is from before. */
ae_status ae_train(ae_model *m, const ae_dataset *train,
                   const ae_dataset *val, const ae_train_options *opt,
                   ae_history **history);

/* ---- pictures ----------------------------------------------------------- */

/* Write a grid of rows*cols grayscale images of h*w floats in [0, 1] (row
 * after row: images[(r*cols + k)*h*w ...]) as a PNG, each image scaled by
 * `zoom` and separated by `pad` pixels. */
ae_status ae_png_write_grid(const char *path, const float *images, int rows,
                            int cols, int h, int w, int zoom, int pad);
/* ae_png_write_grid for images of c channels ((rows*cols, c, h, w) floats in
 * [0, 1], planar as the models hold them): c = 1 draws gray, c = 3 RGB. */
ae_status ae_png_write_grid_c(const char *path, const float *images, int c, int rows, int cols,
                              int h, int w, int zoom, int pad);

/* 1 when this build draws plots (PLplot: the ae_plot_* functions), 0 in a
 * build without them (cmake -DAE_PLOTS=OFF), where each ae_plot_* function
 * answers AE_ERR_UNSUPPORTED. PNG grids are in every build. */
int ae_have_plots(void);

/* Plot training (and validation, if not NULL) loss per epoch as a PNG
 * with axes, labels and a legend. ylabel names the loss on the vertical
 * axis (NULL: "loss"); best_epoch (1-based; 0: none) is ringed, on the
 * validation curve where there is one, and named in the legend. */
ae_status ae_plot_loss_curve(const char *path, const double *train_loss,
                             const double *val_loss, int epochs,
                             const char *title, const char *ylabel, int best_epoch);

/* Plot n points xy ((n, 2) floats: x, y) as an 800x700 PNG scatter plot
 * with axes, the given title and axis labels (NULL: none). Points are
 * coloured by labels ((n) or NULL): matplotlib's tab10 palette for labels
 * 0..9 (10.. wrap around), grey for negative ones; a legend lists the
 * labels present, as "3 Dress" where class_names (n_classes of them, or
 * NULL) names label 3. 1 <= n <= 10 000 000; every value must be finite
 * (AE_ERR_NUMERIC names the first point that is not). */
ae_status ae_plot_scatter(const char *path, const float *xy,
                          const int32_t *labels, size_t n,
                          const char *const *class_names, int n_classes,
                          const char *title, const char *xlabel, const char *ylabel);

/* ---- anomaly detection ------------------------------------------------- */

/* Metrics of anomaly scores (higher = more anomalous) against truth
 * (is_anomaly[i]: nonzero = anomaly). Both classes must be present where a
 * metric needs them; NaN scores are refused. */

/* Area under the ROC curve: the probability that a random anomaly scores
 * above a random normal sample, ties counting one half (Mann-Whitney U with
 * average ranks; equal to the trapezoid rule over distinct thresholds). */
ae_status ae_roc_auc(double *auc, const float *scores, const int *is_anomaly,
                     size_t n);
/* Average precision (scikit-learn's definition): sum over distinct
 * thresholds, highest first, of (R_k - R_{k-1}) P_k, tied scores grouped. */
ae_status ae_average_precision(double *ap, const float *scores,
                               const int *is_anomaly, size_t n);
/* The ROC curve: one point per distinct threshold, from (0, 0) to (1, 1).
 * fpr and tpr hold room for n + 1 points; *count gets the number written. */
ae_status ae_roc_curve(double *fpr, double *tpr, size_t *count,
                       const float *scores, const int *is_anomaly, size_t n);

typedef struct ae_binary_metrics {
  double threshold;            /* scores above it are called anomalies */
  size_t tp, fp, tn, fn;
  double precision, recall, f1; /* 0 where undefined (nothing predicted) */
} ae_binary_metrics;

/* Confusion counts and precision, recall, F1 with score > threshold. */
ae_status ae_binary_metrics_at(ae_binary_metrics *out, const float *scores,
                               const int *is_anomaly, size_t n,
                               double threshold);
/* The threshold of highest F1 (midway between two distinct scores, so that
 * score > threshold selects exactly the best group) and its metrics. */
ae_status ae_best_f1(ae_binary_metrics *out, const float *scores,
                     const int *is_anomaly, size_t n);

/* Thresholds from training scores (numpy's linear-interpolation quantile):
 * contamination c in (0, 0.5] gives the (1 - c) quantile, as PyOD, so about
 * a fraction c of the training samples score above it; a percentile p in
 * [0, 100] gives the p-th percentile. */
ae_status ae_threshold_contamination(double *threshold, const float *scores,
                                     size_t n, double contamination);
ae_status ae_threshold_percentile(double *threshold, const float *scores,
                                  size_t n, double percentile);

/* A time series as a PNG: values (steps) of one channel as a line, the
 * per-step anomaly score (steps, may be NULL; NaN where none) drawn to the
 * frame's height, flagged steps (may be NULL) as shaded spans; the steps are
 * numbered from `first` on the axis. Non-finite values leave gaps. */
ae_status ae_plot_series(const char *path, const float *values, const float *score,
                         const unsigned char *flagged, size_t steps, size_t first,
                         const char *title);

/* Plot a ROC curve (points from ae_roc_curve) as a PNG with the chance
 * diagonal and the AUC in the legend (auc may be NaN: not shown). mark (may
 * be NULL): a threshold's metrics (ae_binary_metrics_at, ae_best_f1), drawn
 * as its point (FPR fp / (fp + tn), TPR tp / (tp + fn)) and named in the
 * legend as mark_name (NULL: "threshold") with its value. */
ae_status ae_plot_roc_curve(const char *path, const double *fpr,
                            const double *tpr, size_t count, double auc,
                            const char *title, const ae_binary_metrics *mark,
                            const char *mark_name);

/* A model as an anomaly detector (PyOD's contract: fit, decision scores,
 * threshold, predict). The score of a sample is its reconstruction error:
 * the model's loss (MSE or BCE) averaged over the sample's features, on
 * already-scaled inputs; for a VAE its negative ELBO in nats
 * (ae_model_sample_nelbo). */
ae_status ae_detector_scores(ae_model *m, float *scores, const float *x,
                             size_t n);

/* Structural similarity of n image pairs (a and b, each (N, C, H, W)),
 * per sample, in out (N): an 11x11 Gaussian window (sigma 1.5, zero outside
 * the image), C1 = (0.01 range)^2, C2 = (0.03 range)^2, averaged over the
 * sample's pixels and channels; 1 for identical images. 1 - SSIM of an
 * input and its reconstruction is a reconstruction error that weighs
 * structure (edges, texture) rather than intensity (Bergmann et al. 2019). */
ae_status ae_ssim(float *out, const float *a, const float *b, size_t n, int c,
                  int h, int w, float range);

typedef enum ae_threshold_rule {
  AE_THRESHOLD_CONTAMINATION = 0, /* value: fraction c in (0, 0.5] */
  AE_THRESHOLD_PERCENTILE = 1     /* value: percentile in [0, 100] */
} ae_threshold_rule;

/* Score n training samples and set the model's threshold from them; the
 * threshold, the rule and its value go into the model's metadata
 * ("detector") and so into the model file. */
ae_status ae_detector_fit(ae_model *m, const float *x, size_t n,
                          ae_threshold_rule rule, double value);
/* Set the threshold directly (recorded as rule "manual"). */
ae_status ae_detector_set_threshold(ae_model *m, double threshold);
/* The stored threshold; AE_ERR_ARG when the model has none. */
ae_status ae_detector_threshold(const ae_model *m, double *threshold);
/* labels[i] = 1 where the score exceeds the stored threshold, else 0. */
ae_status ae_detector_predict(ae_model *m, int *labels, const float *x,
                              size_t n);

/* ---- codes: nearest neighbours, probes ---------------------------------- */

typedef enum ae_metric {
  AE_METRIC_EUCLIDEAN = 0, /* |a - b| */
  AE_METRIC_COSINE = 1     /* 1 - cos(a, b); a zero vector is at 1 from all */
} ae_metric;

/* For each of nq query rows, the k nearest of n database rows (all of d
 * floats): idx (nq, k) database row numbers and dist (nq, k) distances
 * (may be NULL), nearest first, equal distances in row order. Distances
 * come from matrix products (cblas_sgemm) over blocks of queries and rows,
 * so memory stays bounded whatever n and nq. 1 <= k <= n. */
ae_status ae_knn_search(size_t *idx, float *dist, const float *db, size_t n,
                        const float *queries, size_t nq, size_t d, int k,
                        ae_metric metric);

/* k-nearest-neighbour classification (Euclidean): pred[i] is the label most
 * frequent among query i's k neighbours in the training rows; a tie goes to
 * the label of the nearer neighbour. */
ae_status ae_knn_classify(int32_t *pred, const float *train,
                          const int32_t *labels, size_t n,
                          const float *queries, size_t nq, size_t d, int k);

/* Linear probe: multinomial logistic regression on standardised features,
 * trained with `steps` full-batch Adam steps (learning rate 0.05, from
 * zero weights: deterministic), then pred[i] for each query row. */
ae_status ae_linear_probe(int32_t *pred, const float *train,
                          const int32_t *labels, size_t n,
                          const float *queries, size_t nq, size_t d,
                          int steps);

/* Binary codes: bit j of row i is set where codes[i*d + j] > threshold
 * (0.5 suits sigmoid codes, 0 others). bits holds n rows of
 * ae_code_words(d) words. */
size_t ae_code_words(size_t d);
ae_status ae_codes_binarize(uint64_t *bits, const float *codes, size_t n,
                            size_t d, float threshold);
/* The k nearest of n binary rows by Hamming distance (popcount of the XOR)
 * for each of nq query rows of `words` words: idx and dist (nq, k), nearest
 * first, ties in row order. dist may be NULL. */
ae_status ae_hamming_search(size_t *idx, int *dist, const uint64_t *db,
                            size_t n, const uint64_t *queries, size_t nq,
                            size_t words, int k);

/* ---- PCA ---------------------------------------------------------------- */

/* Fit PCA with k components (1 <= k <= dim, k <= samples) to an already-
 * scaled data set and return it as an ordinary model (spec
 * "dense:k:identity|dense:D:identity;loss=mse", same input shape): encode
 * gives the PCA scores, reconstruct the projection back, and every function
 * that takes a model takes it. The covariance is computed in double, its
 * eigenvectors by LAPACKE_dsyevd; each component's largest entry is made
 * positive. ratio (k, may be NULL) gets the explained variance ratios,
 * which the model's metadata ("pca") records too. */
ae_status ae_pca_fit(ae_model **out, const ae_dataset *ds, int k,
                     double *ratio);

/* ---- inpainting ----------------------------------------------------------- */

/* Fill the values where mask (D = ae_model_input_dim values, nonzero =
 * missing, the same for every image) is set, in n already-scaled images:
 * they start at 0 and each of `iterations` rounds replaces them with the
 * model's reconstruction of the current images; the other values are kept
 * from x. out holds n*D floats. */
ae_status ae_model_inpaint(ae_model *m, float *out, const float *x,
                           const unsigned char *mask, size_t n,
                           int iterations);

#ifdef __cplusplus
}
#endif
#endif
