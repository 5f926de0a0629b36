# SPDX-License-Identifier: MIT
"""aekit models as PyTorch modules, and PyTorch weights as aekit model files.

    from aekit import AutoEncoder
    from aekit.pytorch import to_torch, from_torch
    ae = AutoEncoder.load("deep.safetensors")
    net = to_torch(ae)                  # or to_torch("deep.safetensors"); eval mode
    x_hat = net(torch.from_numpy(ae.scale_inputs(x)))   # ae.reconstruct(x)
    ae2 = from_torch(net.state_dict(), "deep", (1, 28, 28), "deep2.safetensors",
                     scaling=(0, 255))  # an aekit file, loaded back

to_torch(model) builds an `AekitModule` whose `encoder` and `decoder` are
`nn.Sequential`s with one child per aekit layer (aekit's layer i of the
encoder is `encoder[i]`), so that its `state_dict()` keys are the model
file's tensor names (`encoder.0.weight`, `decoder.1.running_var`,
`encoder.0.weight_ih_l0`; batch norm's `num_batches_tracked` aside). Each
child is a small subclass of a torch layer that adds what aekit fuses in or
lays out differently: the activation of dense and convolutional layers, the
flattening of a dense layer's input, channels-last sequences (N, T, F) for
the sequence layers, Keras' `same` padding of conv1d and convt1d, `out=last`
of a recurrence. The module computes what aekit computes in evaluation mode
(dropout off, batch norm on its running statistics, a VAE's code its mean;
a sigmoid output is a sigmoid, even under loss=bce, where aekit fuses it
into the loss only in training). Inputs are already scaled, as aekit's
ae_model_encode takes them: `ae.scale_inputs(X)` gives them.

from_torch(state_dict, spec, input_shape, path) writes an aekit model file
from a state dict with those names: the model comes from the library
(`AutoEncoder.create`, so the file's metadata is the library's), only the
tensors' bytes are replaced, and the file is loaded back through the
library, which checks it, before it replaces `path`. The numerics are
torch's on one side and the library's on the other: this file has none of
its own.
"""
import json
import os
import struct
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import AekitError, AutoEncoder

__all__ = ["to_torch", "from_torch", "read_safetensors", "AekitModule"]

# ---- the model file -----------------------------------------------------------


def _parse_safetensors(data, where):
    if len(data) < 8:
        raise ValueError(f"{where}: not a safetensors file (shorter than 8 bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{where}: header length {n} runs past the end of the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    return header, meta, 8 + n


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file: a dict name -> float32
    numpy array (file order), and the `__metadata__` strings, JSON values
    decoded where they are JSON."""
    with open(path, "rb") as f:
        data = f.read()
    header, meta, base = _parse_safetensors(data, path)
    tensors = {}
    for name, t in header.items():
        if t.get("dtype") != "F32":
            raise ValueError(f"{path}: tensor '{name}' is {t.get('dtype')}, not F32")
        a, e = t["data_offsets"]
        shape = tuple(int(s) for s in t["shape"])
        if e - a != 4 * int(np.prod(shape, dtype=np.int64)) or base + e > len(data):
            raise ValueError(f"{path}: tensor '{name}' has offsets {a}..{e} for shape {shape}")
        tensors[name] = np.frombuffer(data, "<f4", (e - a) // 4, base + a).reshape(shape).copy()
    decoded = {}
    for k, v in meta.items():
        try:
            decoded[k] = json.loads(v)
        except (TypeError, ValueError):
            decoded[k] = v
    return tensors, decoded


# ---- a layer's canonical spec text ----------------------------------------------

_ACTS = ("relu", "leaky_relu", "sigmoid", "tanh", "identity", "linear")


def _is_number(s):
    return bool(s) and (s[0].isdigit() or s[0] in ".-")


def _fields(text):
    """kind, positional numbers (text), KEY=VALUE dict, activation, slope:
    the common syntax of registry.c (later keys win)."""
    parts = text.split(":")
    kind, pos, keys, act, slope = parts[0], [], {}, "identity", 0.0
    i = 1
    while i < len(parts):
        f = parts[i]
        if "=" in f:
            k, v = f.split("=", 1)
            keys[k] = v
        elif f in _ACTS:
            act = "identity" if f == "linear" else f
            if f == "leaky_relu":
                slope = 0.01
                if i + 1 < len(parts) and _is_number(parts[i + 1]):
                    i += 1
                    slope = float(parts[i])
        else:
            pos.append(f)
        i += 1
    return kind, pos, keys, act, slope


# ---- the layers -------------------------------------------------------------------


def _act(x, act, slope):
    if act == "relu":
        return F.relu(x)
    if act == "leaky_relu":
        return F.leaky_relu(x, slope)
    if act == "sigmoid":
        return torch.sigmoid(x)
    if act == "tanh":
        return torch.tanh(x)
    return x


def _act_repr(act, slope):
    return f"leaky_relu:{slope:g}" if act == "leaky_relu" else act


class Dense(nn.Linear):
    """dense:U:ACT — Linear on the input taken as a flat vector (N, I), then
    the activation. Out: (N, U)."""

    def __init__(self, in_features, units, act="identity", slope=0.0):
        super().__init__(in_features, units)
        self.act, self.slope = act, slope

    def forward(self, x):
        return _act(super().forward(x.flatten(1)), self.act, self.slope)

    def extra_repr(self):
        return super().extra_repr() + f", act={_act_repr(self.act, self.slope)}"


class _Image:
    """A layer over images (N, C, H, W): its input as aekit holds it, C*H*W
    floats per sample, under that shape."""

    def _image(self, x):
        return x.reshape(x.shape[0], *self.in_shape)


class Conv(_Image, nn.Conv2d):
    """conv:K:KS[:stride][:pad=P|same][:dil][:ACT] — Conv2d (symmetric
    padding; pad=same is dil*(KS-1)//2 on each side), then the activation.
    In and out: (N, C, H, W)."""

    def __init__(self, in_shape, filters, kernel, stride=1, pad=0, dil=1, act="identity",
                 slope=0.0):
        super().__init__(in_shape[0], filters, kernel, stride, pad, dil)
        self.in_shape, self.act, self.slope = tuple(in_shape), act, slope

    def forward(self, x):
        return _act(super().forward(self._image(x)), self.act, self.slope)

    def extra_repr(self):
        return super().extra_repr() + f", act={_act_repr(self.act, self.slope)}"


class ConvT(_Image, nn.ConvTranspose2d):
    """convt:K:KS[:stride][:pad][:outpad][:dil][:ACT] — ConvTranspose2d
    (weight (C, K, KS, KS)), then the activation."""

    def __init__(self, in_shape, filters, kernel, stride=1, pad=0, outpad=0, dil=1,
                 act="identity", slope=0.0):
        super().__init__(in_shape[0], filters, kernel, stride, pad, outpad, dilation=dil)
        self.in_shape, self.act, self.slope = tuple(in_shape), act, slope

    def forward(self, x):
        return _act(super().forward(self._image(x)), self.act, self.slope)

    def extra_repr(self):
        return super().extra_repr() + f", act={_act_repr(self.act, self.slope)}"


class BatchNorm2d(_Image, nn.BatchNorm2d):
    """bn on (C, H, W): over the C channels (a sequence (1, T, F) is one
    channel of T*F values, as aekit does)."""

    def __init__(self, in_shape, momentum=0.1, eps=1e-5):
        super().__init__(in_shape[0], eps=eps, momentum=momentum)
        self.in_shape = tuple(in_shape)

    def forward(self, x):
        return super().forward(self._image(x))


class BatchNorm1d(nn.BatchNorm1d):
    """bn on a flat input (C, 1, 1): BatchNorm1d on (N, C)."""

    def forward(self, x):
        return super().forward(x.flatten(1))


class MaxPool(_Image, nn.MaxPool2d):
    """maxpool:K[:stride][:pad] — MaxPool2d (padding never wins)."""

    def __init__(self, in_shape, kernel, stride, pad=0):
        super().__init__(kernel, stride, pad)
        self.in_shape = tuple(in_shape)

    def forward(self, x):
        return super().forward(self._image(x))


class Upsample(_Image, nn.Upsample):
    """upsample:S — nearest-neighbour upsampling by S: output (y, x) is input
    (y // S, x // S). Computed by repetition, which is exact for every S
    (PyTorch 1.13's nearest interpolation takes the source index from a
    float scale and misses it at S = 41, 47, 55 and 61 of 2..64)."""

    def __init__(self, in_shape, scale):
        super().__init__(scale_factor=scale, mode="nearest")
        self.in_shape, self.scale = tuple(in_shape), int(scale)

    def forward(self, x):
        s = self.scale
        return self._image(x).repeat_interleave(s, 2).repeat_interleave(s, 3)


class Dropout(nn.Dropout):
    """dropout:P — inverted dropout in training, the identity in evaluation;
    the shape passes through."""


class Flatten(nn.Flatten):
    """flatten: (N, C*H*W)."""


class Reshape(nn.Unflatten):
    """reshape:C:H:W: the same values as (N, C, H, W)."""

    def __init__(self, shape):
        super().__init__(1, tuple(shape))

    def forward(self, x):
        return super().forward(x.flatten(1))


class Sample(nn.Module):
    """sample — the VAE sampler: (N, 2Z) = [mu | log sigma^2] in; z = mu in
    evaluation, mu + exp(logvar / 2) * eps (eps ~ N(0, I), torch's
    generator) in training. Out: (N, Z)."""

    def __init__(self, z):
        super().__init__()
        self.z = z

    def forward(self, x):
        x = x.flatten(1)
        mu = x[:, :self.z]
        if not self.training:
            return mu
        return mu + torch.exp(0.5 * x[:, self.z:]) * torch.randn_like(mu)

    def extra_repr(self):
        return f"z={self.z}"


class _Recurrent:
    """A recurrence on (N, T, F), batch first; out=last: (N, 1, D*H), the
    forward h at step T-1 and the reverse h at step 0 (h_n)."""

    def _run(self, x):
        n = x.shape[0]
        y, h = super(_Recurrent, self).forward(x.reshape(n, *self.in_shape[1:]))
        if not self.last:
            return y
        h = h[0] if isinstance(h, tuple) else h  # the LSTM's (h_n, c_n)
        return h.transpose(0, 1).reshape(n, 1, -1)


class LSTM(_Recurrent, nn.LSTM):
    """lstm:H[:bi=1][:out=last] — nn.LSTM(F, H, batch_first=True)."""

    def __init__(self, in_shape, hidden, bi=False, last=False):
        super().__init__(in_shape[2], hidden, batch_first=True, bidirectional=bool(bi))
        self.in_shape, self.last = tuple(in_shape), bool(last)

    def forward(self, x):
        return self._run(x)

    def extra_repr(self):
        return super().extra_repr() + (", out=last" if self.last else "")


class GRU(_Recurrent, nn.GRU):
    """gru:H[:bi=1][:out=last] — nn.GRU(F, H, batch_first=True)."""

    def __init__(self, in_shape, hidden, bi=False, last=False):
        super().__init__(in_shape[2], hidden, batch_first=True, bidirectional=bool(bi))
        self.in_shape, self.last = tuple(in_shape), bool(last)

    def forward(self, x):
        return self._run(x)

    def extra_repr(self):
        return super().extra_repr() + (", out=last" if self.last else "")


class _Sequence:
    """A layer over sequences (1, T, C) channels last: (N, T, C) in and out,
    torch's (N, C, T) inside."""

    def _channels_first(self, x):
        return x.reshape(x.shape[0], *self.in_shape[1:]).transpose(1, 2)


class Conv1d(_Sequence, nn.Conv1d):
    """conv1d:K:KS[:stride][:pad=P|same][:dil][:ACT] — Conv1d (weight
    (O, C, KS)) after `left` zero steps on the left and as many on the right
    as `steps` outputs need (pad=P: P and P; pad=same: Keras', ceil(T/S)
    steps, the extra step on the right), then the activation."""

    def __init__(self, in_shape, filters, kernel, stride, dil, left, steps, act="identity",
                 slope=0.0):
        super().__init__(in_shape[2], filters, kernel, stride, 0, dil)
        self.in_shape, self.left, self.steps = tuple(in_shape), left, steps
        self.act, self.slope = act, slope

    def forward(self, x):
        x = self._channels_first(x)
        span = self.dilation[0] * (self.kernel_size[0] - 1) + 1
        right = max(0, (self.steps - 1) * self.stride[0] + span - x.shape[2] - self.left)
        y = super().forward(F.pad(x, (self.left, right)))[:, :, :self.steps]
        return _act(y, self.act, self.slope).transpose(1, 2)

    def extra_repr(self):
        return (super().extra_repr() + f", left={self.left}, steps={self.steps}, "
                f"act={_act_repr(self.act, self.slope)}")


class ConvT1d(_Sequence, nn.ConvTranspose1d):
    """convt1d:K:KS[:stride][:pad=P|same][:outpad][:dil][:ACT] —
    ConvTranspose1d (weight (C, O, KS)) without padding, its full output
    cropped by `crop` steps on the left and kept for `steps` steps (zeros
    where it runs past the full output), the bias added, then the
    activation. pad=P: crop P (PyTorch's padding and output_padding);
    pad=same: Keras' Conv1DTranspose, T*S steps."""

    def __init__(self, in_shape, filters, kernel, stride, dil, crop, steps, act="identity",
                 slope=0.0):
        super().__init__(in_shape[2], filters, kernel, stride, 0, dilation=dil)
        self.in_shape, self.crop, self.steps = tuple(in_shape), crop, steps
        self.act, self.slope = act, slope

    def forward(self, x):
        y = F.conv_transpose1d(self._channels_first(x), self.weight, None, self.stride,
                               dilation=self.dilation)
        short = self.crop + self.steps - y.shape[2]
        if short > 0:
            y = F.pad(y, (0, short))
        y = y[:, :, self.crop:self.crop + self.steps] + self.bias[:, None]
        return _act(y, self.act, self.slope).transpose(1, 2)

    def extra_repr(self):
        return (super().extra_repr() + f", crop={self.crop}, steps={self.steps}, "
                f"act={_act_repr(self.act, self.slope)}")


class MaxPool1d(_Sequence, nn.MaxPool1d):
    """maxpool1d:K[:stride][:pad] over time."""

    def __init__(self, in_shape, kernel, stride, pad=0):
        super().__init__(kernel, stride, pad)
        self.in_shape = tuple(in_shape)

    def forward(self, x):
        return super().forward(self._channels_first(x)).transpose(1, 2)


class Upsample1d(nn.Upsample):
    """upsample1d:S — each step S times (by repetition, see Upsample)."""

    def __init__(self, in_shape, scale):
        super().__init__(scale_factor=scale, mode="nearest")
        self.in_shape, self.scale = tuple(in_shape), int(scale)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.in_shape[1:]).repeat_interleave(self.scale, 1)


class Repeat(nn.Module):
    """repeat:T — the input, flat (N, D), at each of T steps: (N, T, D)
    (Keras' RepeatVector)."""

    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def forward(self, x):
        x = x.flatten(1)
        return x.unsqueeze(1).expand(x.shape[0], self.steps, x.shape[1])

    def extra_repr(self):
        return f"steps={self.steps}"


class TDense(nn.Linear):
    """tdense:U:ACT — Linear at every step of (N, T, F), then the activation
    (Keras' TimeDistributed(Dense))."""

    def __init__(self, in_shape, units, act="identity", slope=0.0):
        super().__init__(in_shape[2], units)
        self.in_shape, self.act, self.slope = tuple(in_shape), act, slope

    def forward(self, x):
        y = super().forward(x.reshape(x.shape[0], *self.in_shape[1:]))
        return _act(y, self.act, self.slope)

    def extra_repr(self):
        return super().extra_repr() + f", act={_act_repr(self.act, self.slope)}"


def _layer(text, in_shape, out_shape):
    """The module of one aekit layer from its canonical spec text, its input
    and output shapes (c, h, w)."""
    kind, pos, keys, act, slope = _fields(text)
    c, h, w = in_shape
    num = [int(p) for p in pos] if kind != "dropout" else []
    ikey = lambda k, d: int(keys.get(k, d))  # noqa: E731
    if kind == "dense":
        return Dense(c * h * w, num[0], act, slope)
    if kind in ("conv", "convt"):
        k, dil = num[1], ikey("dil", 1)
        pad = dil * (k - 1) // 2 if keys.get("pad") == "same" else ikey("pad", 0)
        if kind == "conv":
            return Conv(in_shape, num[0], k, ikey("stride", 1), pad, dil, act, slope)
        return ConvT(in_shape, num[0], k, ikey("stride", 1), pad, ikey("outpad", 0), dil, act,
                     slope)
    if kind == "bn":
        m, e = float(keys.get("momentum", 0.1)), float(keys.get("eps", 1e-5))
        if h == 1 and w == 1:
            return BatchNorm1d(c, eps=e, momentum=m)
        return BatchNorm2d(in_shape, m, e)
    if kind == "maxpool":
        return MaxPool(in_shape, num[0], ikey("stride", num[0]), ikey("pad", 0))
    if kind == "upsample":
        return Upsample(in_shape, num[0])
    if kind == "dropout":
        return Dropout(float(pos[0]))
    if kind == "flatten":
        return Flatten()
    if kind == "reshape":
        return Reshape(num)
    if kind == "sample":
        return Sample((c * h * w) // 2)
    if kind in ("lstm", "gru"):
        cls = LSTM if kind == "lstm" else GRU
        return cls(in_shape, num[0], ikey("bi", 0), keys.get("out") == "last")
    if kind in ("conv1d", "convt1d"):
        filters, k, stride, dil = num[0], num[1], ikey("stride", 1), ikey("dil", 1)
        t, span, steps = h, dil * (k - 1) + 1, out_shape[1]
        same = keys.get("pad") == "same"
        if kind == "conv1d":  # conv_build in layer_seq.c: the left padding
            total = (steps - 1) * stride + span - t
            left = max(total, 0) // 2 if same else ikey("pad", 0)
            return Conv1d(in_shape, filters, k, stride, dil, left, steps, act, slope)
        crop = max(span - stride, 0) // 2 if same else ikey("pad", 0)
        return ConvT1d(in_shape, filters, k, stride, dil, crop, steps, act, slope)
    if kind == "maxpool1d":
        return MaxPool1d(in_shape, num[0], ikey("stride", num[0]), ikey("pad", 0))
    if kind == "upsample1d":
        return Upsample1d(in_shape, num[0])
    if kind == "repeat":
        return Repeat(num[0])
    if kind == "tdense":
        return TDense(in_shape, num[0], act, slope)
    raise ValueError(f"aekit.pytorch: layer '{text}': kind '{kind}' has no torch form here")


_SEQUENCE_KINDS = ("lstm", "gru", "conv1d", "convt1d", "maxpool1d", "upsample1d", "tdense")


def _aekit_shape(y):
    """A torch output's per-sample shape as aekit's (c, h, w)."""
    s = tuple(y.shape[1:])
    return {1: s + (1, 1), 2: (1,) + s, 3: s}.get(len(s))


# ---- the module ----------------------------------------------------------------------


class AekitModule(nn.Module):
    """An aekit autoencoder as a torch module: `encoder` and `decoder`,
    nn.Sequential, one child per aekit layer. forward(x) is the
    reconstruction, encode(x) the code (N, Z) (a VAE's mean), decode(z)
    the decoding (N, *sample_shape). x: already-scaled inputs, (N, D) or
    (N, *sample_shape); forward gives its output in x's shape.

    Attributes: spec (aekit's canonical spec), input_shape (aekit's (c, h,
    w)), sample_shape ((D,) for a model whose first layer is dense,
    (T, F) for a sequence model, else (C, H, W)), code_dim, metadata (the
    model file's, decoded: scaling, features, series ...)."""

    def __init__(self, encoder, decoder, spec, input_shape, sample_shape, code_dim,
                 metadata=None):
        super().__init__()
        self.encoder, self.decoder = nn.Sequential(*encoder), nn.Sequential(*decoder)
        self.spec, self.input_shape = spec, tuple(input_shape)
        self.sample_shape, self.code_dim = tuple(sample_shape), code_dim
        self.metadata = metadata or {}
        self.input_dim = int(np.prod(self.input_shape))

    def _check(self, x, d, what):
        if x.dim() < 2 or x[0].numel() != d:
            raise ValueError(f"aekit.pytorch: {what} of shape {tuple(x.shape)}: each sample must "
                             f"be {d} values")

    def encode(self, x):
        self._check(x, self.input_dim, "inputs")
        return self.encoder(x).reshape(x.shape[0], -1)

    def decode(self, z):
        self._check(z, self.code_dim, "codes")
        return self.decoder(z).reshape(z.shape[0], *self.sample_shape)

    def forward(self, x):
        self._check(x, self.input_dim, "inputs")
        return self.decoder(self.encoder(x)).reshape(x.shape)

    def extra_repr(self):
        return f"spec={self.spec!r}, input_shape={self.input_shape}"


def _loaded(model):
    """(AutoEncoder, tensors, metadata) of an AutoEncoder or a file path."""
    if isinstance(model, AutoEncoder):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.safetensors")
            model.save(p)
            tensors, meta = read_safetensors(p)
        return model, tensors, meta
    path = os.fspath(model)
    tensors, meta = read_safetensors(path)
    return AutoEncoder.load(path, threads=1), tensors, meta


def to_torch(model):
    """The torch module (AekitModule, in eval mode, float32) of an aekit
    model: an AutoEncoder or the path of an aekit .safetensors file."""
    ae, tensors, meta = _loaded(model)
    layers = ae.layers()
    shape, mods = tuple(ae.input_shape_), []
    for l in layers:
        mods.append(_layer(l["spec"], shape, l["shape"]))
        shape = tuple(l["shape"])
    n_enc = sum(1 for l in layers if l["part"] == "encoder")
    c, h, w = ae.input_shape_
    first = _fields(layers[0]["spec"])[0]
    if c == 1 and first in _SEQUENCE_KINDS:
        sample_shape = (h, w)
    elif first in ("dense", "flatten", "repeat", "sample") or (c == 1 and h == 1) or \
            (h == 1 and w == 1):
        sample_shape = (c * h * w,)
    else:
        sample_shape = (c, h, w)
    net = AekitModule(mods[:n_enc], mods[n_enc:], ae.spec_, ae.input_shape_, sample_shape,
                      ae.code_dim_, meta)
    net.eval()
    # the modules' outputs have aekit's sizes, images and sequences its shapes
    # (a flat output is only its values: aekit gives the last layer's the
    # input's shape, and a table is (1, 1, D))
    with torch.no_grad():
        y = torch.zeros((1,) + sample_shape)
        for k, (m, l) in enumerate(zip(mods, layers)):
            y = m(y)
            got, want = _aekit_shape(y), tuple(l["shape"])
            last = k == len(mods) - 1
            if y[0].numel() != np.prod(want) or (y.dim() > 2 and not last and got != want):
                raise ValueError(f"aekit.pytorch: layer {k + 1} '{l['spec']}': torch gives "
                                 f"{got}, aekit {want}")
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    own = {k for k in net.state_dict() if not k.endswith("num_batches_tracked")}
    if own != set(state):
        raise ValueError(f"aekit.pytorch: the module's tensors {sorted(own ^ set(state))} are "
                         f"not the file's")
    net.load_state_dict(state, strict=False)  # strict but for num_batches_tracked
    return net


# ---- torch weights into an aekit file ---------------------------------------------


def from_torch(state_dict_or_module, spec, input_shape, path, scaling=(0.0, 1.0), threads=0):
    """Write the aekit model file `path` for the model `spec` on inputs of
    shape input_shape ((c, h, w), (h, w) or (D,)) with the tensors of a
    PyTorch state dict (or module) named as aekit names them (to_torch's
    module has those names): every tensor of the model, of the model's
    shape, and no other (num_batches_tracked is ignored), else ValueError
    naming it. The file is the library's own for that spec (metadata
    included, scaling (lo, hi)) with the tensors' values replaced; it is
    loaded back through the library (which refuses non-finite weights and
    negative variances, naming them) before it replaces `path`. Returns that
    AutoEncoder (run on `threads` threads)."""
    sd = state_dict_or_module
    if isinstance(sd, nn.Module):
        sd = sd.state_dict()
    given = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}
    ae = AutoEncoder.create(spec, input_shape, scaling=scaling)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.safetensors")
        ae.save(p)
        with open(p, "rb") as f:
            data = bytearray(f.read())
    del ae
    header, _, base = _parse_safetensors(bytes(data), "aekit's own file")
    names = list(header)
    for name in names:
        t = header[name]
        if name not in given:
            raise ValueError(f"aekit.pytorch: the state dict has no tensor '{name}' (shape "
                             f"{tuple(t['shape'])}), which spec '{spec}' needs")
        v = given[name]
        v = v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)
        if tuple(v.shape) != tuple(t["shape"]):
            raise ValueError(f"aekit.pytorch: tensor '{name}' has shape {tuple(v.shape)}; "
                             f"spec '{spec}' needs {tuple(t['shape'])}")
        if t["dtype"] != "F32" or not np.issubdtype(v.dtype, np.number) or \
                np.iscomplexobj(v):
            raise ValueError(f"aekit.pytorch: tensor '{name}' is {v.dtype}, not a real number "
                             f"array (the file holds F32)")
        a, e = t["data_offsets"]
        data[base + a:base + e] = np.ascontiguousarray(v, dtype="<f4").tobytes()
    extra = sorted(set(given) - set(names))
    if extra:
        raise ValueError(f"aekit.pytorch: the state dict has tensor{'s' if len(extra) > 1 else ''} "
                         f"{', '.join(repr(k) for k in extra)}, which spec '{spec}' does not have")
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(prefix=".aekit-", suffix=".safetensors",
                               dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            # the mode an ordinary new file would get (mkstemp's is 0600), or
            # the replaced file's
            try:
                mode = os.stat(path).st_mode & 0o777
            except OSError:
                mask = os.umask(0)
                os.umask(mask)
                mode = 0o666 & ~mask
            os.chmod(tmp, mode)
        try:
            out = AutoEncoder.load(tmp, threads=threads)  # the library checks it
        except AekitError as e:  # its message names the file: the one asked for
            raise AekitError(str(e).replace(tmp, path)) from None
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
