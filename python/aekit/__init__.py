# SPDX-License-Identifier: MIT
"""aekit from Python: autoencoders trained and run by libaekit (ctypes),
numpy arrays in and out.

    from aekit import AutoEncoder
    ae = AutoEncoder("deep", epochs=10).fit(x_train)     # x: (n, D), (n, H, W) or (n, C, H, W)
    codes = ae.encode(x_test)                            # (n, Z)
    x_hat = ae.reconstruct(x_test)                       # the model's scaled units
    scores = ae.decision_function(x_test)                # reconstruction error: high = abnormal
    labels = ae.predict(x_test)                          # 1 above the threshold (contamination)
    ae.save("deep.safetensors"); ae = AutoEncoder.load("deep.safetensors")

Everything is the library's: the binding converts arrays, calls the C API
and raises AekitError with the library's message when a call fails. It has
no numerics of its own. Inputs are raw (as they come from a file); the model
scales them as it recorded when it was trained (``scale=``), exactly as the
``aekit`` program does. Outputs (reconstructions, decodings) are in the
model's scaled units, [0, 1] for images.

The library is found at $AEKIT_LIBRARY, next to this package, in the build
folder of the source tree this file lies in (build/libaekit.so), or where the
system's loader finds libaekit.so.
"""
import ctypes
import ctypes.util
import json
import os

import numpy as np

__all__ = ["AutoEncoder", "AekitError", "library_version"]

# ---- the library ------------------------------------------------------------


def _find_library():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("AEKIT_LIBRARY"), os.path.join(here, "libaekit.so"),
                  os.path.join(here, "..", "..", "build", "libaekit.so")]
    for c in candidates:
        if c and os.path.exists(c):
            return c
    found = ctypes.util.find_library("aekit")
    if found:
        return found
    raise ImportError("aekit: libaekit.so not found: build it (make) or set AEKIT_LIBRARY")


_lib = ctypes.CDLL(_find_library())
_p = ctypes.c_void_p
_fp = ctypes.POINTER(ctypes.c_float)


class _Progress(ctypes.Structure):
    _fields_ = [("epoch", ctypes.c_int), ("epochs", ctypes.c_int),
                ("done", ctypes.c_size_t), ("total", ctypes.c_size_t),
                ("loss", ctypes.c_double), ("val_loss", ctypes.c_double),
                ("samples_per_s", ctypes.c_double), ("elapsed_s", ctypes.c_double),
                ("epoch_end", ctypes.c_int), ("improved", ctypes.c_int)]


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Progress), ctypes.c_void_p)


class _TrainOptions(ctypes.Structure):  # ae_train_options, field for field
    _fields_ = [("epochs", ctypes.c_int), ("batch_size", ctypes.c_int),
                ("optimizer", ctypes.c_int), ("lr", ctypes.c_float),
                ("beta1", ctypes.c_float), ("beta2", ctypes.c_float), ("eps", ctypes.c_float),
                ("momentum", ctypes.c_float), ("nesterov", ctypes.c_int),
                ("weight_decay", ctypes.c_float), ("seed", ctypes.c_uint64),
                ("threads", ctypes.c_int), ("patience", ctypes.c_int),
                ("min_delta", ctypes.c_float), ("checkpoint_path", ctypes.c_char_p),
                ("checkpoint_every", ctypes.c_int), ("resume_path", ctypes.c_char_p),
                ("stop_after", ctypes.c_long), ("lr_schedule", ctypes.c_char_p),
                ("lr_warmup", ctypes.c_float), ("kl_warmup", ctypes.c_float),
                ("noise", ctypes.c_char_p), ("progress", _PROGRESS), ("user", ctypes.c_void_p)]


def _sig(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


_i, _sz, _u64, _cs = ctypes.c_int, ctypes.c_size_t, ctypes.c_uint64, ctypes.c_char_p
_last_error = _sig("ae_last_error", _cs)
_version = _sig("ae_version", _cs)
_ds_from_array = _sig("ae_dataset_from_array", _i, ctypes.POINTER(_p), _fp, _sz, _sz, _p)
_ds_set_shape = _sig("ae_dataset_set_shape", _i, _p, _i, _i, _i)
_ds_split = _sig("ae_dataset_split", _i, ctypes.POINTER(_p), ctypes.POINTER(_p), _p,
                 ctypes.c_double, _u64)
_ds_data = _sig("ae_dataset_data", _fp, _p)
_ds_count = _sig("ae_dataset_count", _sz, _p)
_ds_free = _sig("ae_dataset_free", None, _p)
_create = _sig("ae_model_create", _i, ctypes.POINTER(_p), _cs, _i, _i, _i, _u64)
_init = _sig("ae_model_init", _i, _p, _i, _u64)
_free = _sig("ae_model_free", None, _p)
_save = _sig("ae_model_save", _i, _p, _cs)
_load = _sig("ae_model_load", _i, ctypes.POINTER(_p), _cs)
_export = _sig("ae_model_export_onnx", _i, _p, _cs, _i)
_input_dim = _sig("ae_model_input_dim", _sz, _p)
_code_dim = _sig("ae_model_code_dim", _sz, _p)
_param_count = _sig("ae_model_param_count", _sz, _p)
_input_shape = _sig("ae_model_input_shape", None, _p, ctypes.POINTER(_i), ctypes.POINTER(_i),
                    ctypes.POINTER(_i))
_spec = _sig("ae_model_spec", _cs, _p)


class _LayerSummary(ctypes.Structure):  # ae_layer_summary
    _fields_ = [("spec", ctypes.c_char * 128), ("c", ctypes.c_int), ("h", ctypes.c_int),
                ("w", ctypes.c_int), ("params", ctypes.c_size_t), ("decoder", ctypes.c_int),
                ("flops", ctypes.c_double)]


_layer_count = _sig("ae_model_layer_count", _i, _p)
_layer_summary = _sig("ae_model_layer_summary", _i, _p, _i, ctypes.POINTER(_LayerSummary))
_metadata = _sig("ae_model_metadata", _cs, _p)
_set_scaling = _sig("ae_model_set_scaling", _i, _p, ctypes.c_float, ctypes.c_float)
_fit_scaling = _sig("ae_model_fit_scaling", _i, _p, _p, _i)
_scale_dataset = _sig("ae_model_scale_dataset", _i, _p, _p)
_scale_inputs = _sig("ae_model_scale_inputs", _i, _p, _fp, _sz)
_set_threads = _sig("ae_model_set_threads", _i, _p, _i)
_encode = _sig("ae_model_encode", _i, _p, _fp, _fp, _sz)
_decode = _sig("ae_model_decode", _i, _p, _fp, _fp, _sz)
_reconstruct = _sig("ae_model_reconstruct", _i, _p, _fp, _fp, _sz)
_generate = _sig("ae_model_generate", _i, _p, _fp, _sz, _u64)
_is_variational = _sig("ae_model_is_variational", _i, _p)
_defaults = _sig("ae_train_options_defaults", None, ctypes.POINTER(_TrainOptions))
_train = _sig("ae_train", _i, _p, _p, _p, ctypes.POINTER(_TrainOptions), ctypes.POINTER(_p))
_h_epochs = _sig("ae_history_epochs", _i, _p)
_h_train = _sig("ae_history_train_loss", ctypes.c_double, _p, _i)
_h_val = _sig("ae_history_val_loss", ctypes.c_double, _p, _i)
_h_best = _sig("ae_history_best_epoch", _i, _p)
_h_free = _sig("ae_history_free", None, _p)
_det_scores = _sig("ae_detector_scores", _i, _p, _fp, _fp, _sz)
_det_fit = _sig("ae_detector_fit", _i, _p, _fp, _sz, _i, ctypes.c_double)
_det_threshold = _sig("ae_detector_threshold", _i, _p, ctypes.POINTER(ctypes.c_double))
_det_predict = _sig("ae_detector_predict", _i, _p, ctypes.POINTER(_i), _fp, _sz)

_check = _TrainOptions()
_defaults(ctypes.byref(_check))
if (_check.epochs, _check.batch_size, _check.seed) != (20, 256, 42) or \
        abs(_check.beta2 - 0.999) > 1e-6:
    raise ImportError("aekit: this binding's ae_train_options does not match libaekit's")

_SCALES = {"auto": 0, "none": 1, "standard": 2, "minmax": 3}
_OPTIMIZERS = {"adam": 0, "sgd": 1, "adamw": 2}
_INITS = {"keras": 0, "pytorch": 1}
_PARTS = {"full": 0, "encoder": 1, "decoder": 2}


class AekitError(RuntimeError):
    """A libaekit call failed; the message is the library's one line."""


def _ok(status):
    if status:
        raise AekitError(_last_error().decode("utf-8", "replace"))


def library_version():
    return _version().decode()


def _floats(x):
    return np.ascontiguousarray(x, dtype=np.float32)


def _ptr(a):
    return a.ctypes.data_as(_fp)


def _sample_shape(x):
    """(c, h, w) of the samples of x: (n, D) tables, (n, H, W) grey images or
    sequences of H steps of W values, (n, C, H, W) images."""
    if x.ndim == 2:
        return 1, 1, x.shape[1]
    if x.ndim == 3:
        return 1, x.shape[1], x.shape[2]
    if x.ndim == 4:
        return x.shape[1], x.shape[2], x.shape[3]
    raise ValueError(f"aekit: samples must be an array of 2 to 4 dimensions, not {x.ndim}")


class AutoEncoder:
    """An autoencoder of libaekit, with scikit-learn's and PyOD's methods.

    model: a preset ("dense", "deep", "conv", "conv-pool", "vae", "conv-vae",
    "lstm", "gru", "conv1d") or a spec ("dense:64:relu,dense:8|dense:64:relu,
    dense:30;loss=mse"), as ``aekit train --model``. scale: "auto" (the
    range of the data: 0..255 for uint8 arrays, else the observed min and
    max), "none", "standard" or "minmax" (per feature, fitted on the
    training part). contamination: the fraction of training samples above
    the anomaly threshold (PyOD's, default 0.1); None: no threshold.
    The other arguments are those of ``aekit train``."""

    def __init__(self, model="dense", epochs=20, batch_size=256, lr=1e-3, optimizer="adam",
                 weight_decay=0.0, seed=42, scale="auto", noise=None, validation_split=0.0,
                 patience=0, contamination=0.1, init="keras", threads=0, verbose=0):
        if scale not in _SCALES:
            raise ValueError(f"aekit: scale '{scale}' is not one of {sorted(_SCALES)}")
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"aekit: optimizer '{optimizer}' is not one of {sorted(_OPTIMIZERS)}")
        if init not in _INITS:
            raise ValueError(f"aekit: init '{init}' is not keras or pytorch")
        self.model, self.epochs, self.batch_size, self.lr = model, epochs, batch_size, lr
        self.optimizer, self.weight_decay, self.seed, self.scale = optimizer, weight_decay, seed, scale
        self.noise, self.validation_split, self.patience = noise, validation_split, patience
        self.contamination, self.init, self.threads, self.verbose = contamination, init, threads, verbose
        self._m = None

    # -- the model handle --
    def __del__(self):
        if getattr(self, "_m", None):
            _free(self._m)
            self._m = None

    def _model(self):
        if not self._m:
            raise AekitError("aekit: the autoencoder is not fitted: call fit() or load()")
        return self._m

    @property
    def spec_(self):
        return _spec(self._model()).decode()

    @property
    def n_features_in_(self):
        return _input_dim(self._model())

    @property
    def code_dim_(self):
        return _code_dim(self._model())

    @property
    def n_params_(self):
        return _param_count(self._model())

    @property
    def metadata_(self):
        return json.loads(_metadata(self._model()).decode())

    @property
    def threshold_(self):
        t = ctypes.c_double()
        return t.value if not _det_threshold(self._model(), ctypes.byref(t)) else None

    # -- training --
    def fit(self, X, y=None):
        """Train on X (raw values; y is ignored, as PyOD). Returns self."""
        x = _floats(X)
        c, h, w = _sample_shape(x)
        n, d = x.shape[0], c * h * w
        ds, tr, va, m, hist = _p(), _p(), _p(), _p(), _p()
        try:
            _ok(_ds_from_array(ctypes.byref(ds), _ptr(x), n, d, None))
            _ok(_ds_set_shape(ds, c, h, w))
            if self.validation_split:
                _ok(_ds_split(ctypes.byref(tr), ctypes.byref(va), ds, self.validation_split,
                              self.seed))
            else:
                tr, ds = ds, _p()
            _ok(_create(ctypes.byref(m), self.model.encode(), c, h, w, self.seed))
            _ok(_init(m, _INITS[self.init], self.seed))
            if self.scale == "auto" and np.asarray(X).dtype == np.uint8:
                _ok(_set_scaling(m, 0.0, 255.0))  # the range a uint8 file implies
            else:
                _ok(_fit_scaling(m, tr, _SCALES[self.scale]))
            _ok(_scale_dataset(m, tr))
            if va:
                _ok(_scale_dataset(m, va))
            _ok(_set_threads(m, self.threads))
            o = _TrainOptions()
            _defaults(ctypes.byref(o))
            o.epochs, o.batch_size, o.lr = self.epochs, self.batch_size, self.lr
            o.optimizer, o.weight_decay, o.seed = _OPTIMIZERS[self.optimizer], self.weight_decay, self.seed
            o.threads, o.patience = self.threads, self.patience
            o.noise = self.noise.encode() if self.noise else None
            if self.verbose:
                def progress(p, user):
                    p = p.contents
                    if p.epoch_end:
                        val = "" if p.val_loss != p.val_loss else f"  val {p.val_loss:.6f}"
                        print(f"epoch {p.epoch}/{p.epochs}  loss {p.loss:.6f}{val}", flush=True)
                o.progress = _PROGRESS(progress)
            _ok(_train(m, tr, va if va else None, ctypes.byref(o), ctypes.byref(hist)))
            epochs = _h_epochs(hist)
            self.history_ = {"loss": [_h_train(hist, e) for e in range(epochs)],
                             "val_loss": [_h_val(hist, e) for e in range(epochs)],
                             "best_epoch": _h_best(hist)}
            if self.contamination is not None:
                nt = _ds_count(tr)
                xt = _ds_data(tr)
                _ok(_det_fit(m, xt, nt, 0, self.contamination))
                scores = np.empty(nt, np.float32)
                _ok(_det_scores(m, _ptr(scores), xt, nt))
                self.decision_scores_ = scores
                t = ctypes.c_double()
                _ok(_det_threshold(m, ctypes.byref(t)))
                self.labels_ = (scores > t.value).astype(np.int64)
        except BaseException:
            _free(m)
            raise
        finally:
            _h_free(hist)
            for x_ in (ds, tr, va):
                _ds_free(x_)
        if self._m:
            _free(self._m)
        self._m = m
        return self

    # -- use --
    def _scaled(self, X):
        m = self._model()
        x = np.array(X, dtype=np.float32, order="C", copy=True)
        d = _input_dim(m)
        if x.ndim < 2 or x[0].size != d:
            raise ValueError(f"aekit: samples of {x[0].size if x.ndim >= 2 else x.size} values, "
                             f"the model takes {d}")
        n = x.shape[0]
        _ok(_scale_inputs(m, _ptr(x), n))
        return x, n

    def encode(self, X):
        """The codes (n, Z) of raw samples X."""
        x, n = self._scaled(X)
        out = np.empty((n, self.code_dim_), np.float32)
        _ok(_encode(self._model(), _ptr(out), _ptr(x), n))
        return out

    transform = encode

    def fit_transform(self, X, y=None):
        return self.fit(X).encode(X)

    def _out_shape(self, n):
        c, h, w = _i(), _i(), _i()
        _input_shape(self._model(), ctypes.byref(c), ctypes.byref(h), ctypes.byref(w))
        if c.value == 1 and h.value == 1:
            return (n, w.value)
        if c.value == 1:
            return (n, h.value, w.value)
        return (n, c.value, h.value, w.value)

    def decode(self, Z):
        """The decodings of codes Z (n, Z), in the model's scaled units."""
        z = _floats(Z)
        if z.ndim != 2 or z.shape[1] != self.code_dim_:
            raise ValueError(f"aekit: codes must be (n, {self.code_dim_}), not {z.shape}")
        n = z.shape[0]
        out = np.empty(self._out_shape(n), np.float32)
        _ok(_decode(self._model(), _ptr(out), _ptr(z), n))
        return out

    def reconstruct(self, X):
        """The reconstructions of raw samples X, in the model's scaled units."""
        x, n = self._scaled(X)
        out = np.empty(self._out_shape(n), np.float32)
        _ok(_reconstruct(self._model(), _ptr(out), _ptr(x), n))
        return out

    def scale_inputs(self, X):
        """X scaled as the model takes it (what reconstruct compares with):
        ae_model_scale_inputs."""
        x, n = self._scaled(X)
        return x.reshape(self._out_shape(n))

    def generate(self, n, seed=1):
        """A VAE's decodings of n codes drawn from N(0, I)."""
        out = np.empty(self._out_shape(n), np.float32)
        _ok(_generate(self._model(), _ptr(out), n, seed))
        return out

    def decision_function(self, X):
        """Anomaly scores of raw samples X (PyOD's sign: higher is more
        abnormal): the reconstruction error, a VAE's negative ELBO."""
        x, n = self._scaled(X)
        out = np.empty(n, np.float32)
        _ok(_det_scores(self._model(), _ptr(out), _ptr(x), n))
        return out

    def score_samples(self, X):
        """scikit-learn's sign: higher is more normal (-decision_function)."""
        return -self.decision_function(X)

    def predict(self, X):
        """1 where the score is above the threshold, else 0 (PyOD)."""
        x, n = self._scaled(X)
        out = np.empty(n, np.intc)
        _ok(_det_predict(self._model(), out.ctypes.data_as(ctypes.POINTER(_i)), _ptr(x), n))
        return out.astype(np.int64)

    @classmethod
    def create(cls, model, input_shape, seed=42, init="keras", scaling=(0.0, 1.0)):
        """An untrained model for samples of shape input_shape ((c, h, w),
        or (D,) for a table), initialised from seed; inputs scaled by
        (x - lo) / (hi - lo) with scaling = (lo, hi)."""
        shape = tuple(input_shape)
        c, h, w = (1, 1, shape[0]) if len(shape) == 1 else (1,) * (3 - len(shape)) + shape
        m = _p()
        _ok(_create(ctypes.byref(m), model.encode(), c, h, w, seed))
        ae = cls(model=model, seed=seed, init=init)
        ae._m = m
        _ok(_init(m, _INITS[init], seed))
        _ok(_set_scaling(m, float(scaling[0]), float(scaling[1])))
        return ae

    def layers(self):
        """The layers as `aekit info` lists them: dicts of spec (the layer's
        canonical text), shape (its output per sample, (c, h, w)), params,
        part ("encoder" or "decoder") and flops (of its forward pass a
        sample, in weight products)."""
        m, out = self._model(), []
        for k in range(_layer_count(m)):
            s = _LayerSummary()
            _ok(_layer_summary(m, k, ctypes.byref(s)))
            out.append({"spec": s.spec.decode(), "shape": (s.c, s.h, s.w), "params": s.params,
                        "part": "decoder" if s.decoder else "encoder", "flops": s.flops})
        return out

    @property
    def input_shape_(self):
        c, h, w = _i(), _i(), _i()
        _input_shape(self._model(), ctypes.byref(c), ctypes.byref(h), ctypes.byref(w))
        return (c.value, h.value, w.value)

    # -- files --
    def save(self, path):
        _ok(_save(self._model(), os.fsencode(path)))

    @classmethod
    def load(cls, path, threads=0):
        """A model file (aekit's .safetensors), run on `threads` threads
        (0: all cores; results depend on the count, to the last bit)."""
        m = _p()
        _ok(_load(ctypes.byref(m), os.fsencode(path)))
        ae = cls(model=_spec(m).decode(), threads=threads)
        ae._m = m
        if _set_threads(m, threads):
            ae._m = None
            _free(m)
            _ok(1)
        return ae

    def export_onnx(self, path, part="full"):
        """Write the model (part "full", "encoder" or "decoder") as ONNX."""
        if part not in _PARTS:
            raise ValueError(f"aekit: part '{part}' is not full, encoder or decoder")
        _ok(_export(self._model(), os.fsencode(path), _PARTS[part]))

    def is_variational(self):
        return bool(_is_variational(self._model()))

    def __repr__(self):
        return f"AutoEncoder({self.model!r}, epochs={self.epochs})"
