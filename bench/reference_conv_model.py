# SPDX-License-Identifier: MIT
"""reference_conv_model.py — aekit's `conv` preset as a PyTorch model, shared
by bench/reference_conv.py (denoising loss comparison) and
bench/reference_torch.py (`train --model conv`, speed).

  encoder: Conv2d(1,32,3,s2,p1) LeakyReLU(0.2) BatchNorm2d(32)
           Conv2d(32,64,3,s2,p1) LeakyReLU(0.2) BatchNorm2d(64)
           Flatten Linear(3136,16)                       -> 16-float code
  decoder: Linear(16,3136) Unflatten(64,7,7)
           ConvTranspose2d(64,64,3,s2,p1,op1) LeakyReLU(0.2) BatchNorm2d(64)
           ConvTranspose2d(64,32,3,s2,p1,op1) LeakyReLU(0.2) BatchNorm2d(32)
           ConvTranspose2d(32,1,3,s1,p1) Sigmoid          -> (N,1,28,28)

PyTorch's default initialisation (modules created in the order above, so the
values depend only on the torch seed set before build_conv_model), BatchNorm
momentum 0.1, eps 1e-5. Input (N,1,28,28) in [0,1]; loss MSE.
"""

from torch import nn

CODE = 16
SLOPE = 0.2


def build_encoder():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1),
        nn.LeakyReLU(SLOPE),
        nn.BatchNorm2d(32),
        nn.Conv2d(32, 64, 3, stride=2, padding=1),
        nn.LeakyReLU(SLOPE),
        nn.BatchNorm2d(64),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, CODE),
    )


def build_decoder():
    return nn.Sequential(
        nn.Linear(CODE, 64 * 7 * 7),
        nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1),
        nn.LeakyReLU(SLOPE),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1),
        nn.LeakyReLU(SLOPE),
        nn.BatchNorm2d(32),
        nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1),
        nn.Sigmoid(),
    )


def build_conv_model():
    """nn.Sequential(encoder, decoder); model[0] is the encoder."""
    return nn.Sequential(build_encoder(), build_decoder())


def images_nchw(x):
    """(n, 784) float tensor -> (n, 1, 28, 28) view."""
    return x.reshape(-1, 1, 28, 28)
