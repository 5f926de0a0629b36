#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_vae_fixtures.py — PyTorch reference values for aekit's VAE and
regularizer tests.

Usage:  /usr/bin/python3 tests/ref/make_vae_fixtures.py tests/fixtures
        (needs python3-torch, python3-numpy and the Fashion-MNIST files in
        /usr/share/datasets/fashion-mnist)

Same conventions as make_fixtures.py (whose Fixture writer and .fx format this
uses): random inputs are seeded and drawn as float32, references are computed
in float64 from those float32 values and stored as float32.

Files written (tensor names; shapes in parentheses):

  e2e_vae.fx   the pytorch/examples vae/main.py model, aekit preset `vae`:
               L1 dense 784->400 relu, L2 dense 400->40 identity, sampler,
               L3 dense 20->400 relu, L4 dense 400->784 sigmoid.
               L2's outputs are [mu (20) | logvar (20)]: rows 0..19 of W2/b2
               are the example's fc21, rows 20..39 its fc22.
               x (32,784): first 32 Fashion-MNIST training images / 255.
               params0 (652824): W1 (400,784), b1 (400), W2 (40,400), b2 (40),
               W3 (400,20), b3 (400), W4 (784,400), b4 (784), each weight
               (out,in) row-major, concatenated in that order; torch's default
               Linear init under torch.manual_seed(0), the layers created in
               the example's order fc1, fc21, fc22, fc3, fc4.
               eps (5,32,20): standard normal; step s samples
               z = mu + exp(0.5*logvar) * eps[s].
               Objective: L = (1/N) sum_n [ sum_d BCE(xhat_nd, x_nd) + beta*KL_n ],
               KL_n = -1/2 sum_j (1 + lv_nj - mu_nj^2 - exp(lv_nj)), beta = 1,
               BCE from the pre-sigmoid logits (binary_cross_entropy_with_logits),
               N = 32: a mean over the batch of per-sample sums.
               losses (5): L before each of 5 torch.optim.Adam(lr=1e-3,
               betas=(0.9,0.999), eps=1e-8) steps on the same batch, step s
               using eps[s]; recon (5), kl (5): its batch-mean BCE-sum and KL
               parts (losses = recon + kl).
               (The gradients at params0 and the parameters after 5 steps
               are computed but not stored: 2.6 MB each.)
               eval_mu (32,20): mu of x after the 5 steps.
               eval_y (32,784): sigmoid(decoder(mu)) after the 5 steps
               (evaluation mode: z = mu, no sampling).
               losses_beta05 (5): as losses, with beta = 0.5, from params0 and
               the same eps (a separate run; no KL warm-up).
               beta05 (1) = 0.5.

  regularizers.fx
               A code layer h = f(x W^T + b):
               x (7,12), W (5,12), b (5); every pre-activation is more than
               1e-3 away from 0 and below 2 in
               magnitude; about half are negative.
               For F in sigmoid, tanh, relu:
                 F.h (7,5) the codes;
                 F.contractive (1) = sum_n ||dh_n/dx_n||_F^2 (the 5x12
                   Jacobian of sample n's code w.r.t. its own input), computed
                   by autograd Jacobians, and its exact gradients
                   F.contractive.dW (5,12), F.contractive.db (5),
                   F.contractive.dx (7,12) (all zero for relu except dW);
                 F.l1 (1) = sum |h|, F.l1.dh (7,5) = sign(h) (0 where h == 0,
                   i.e. at relu's zeros).
               KL sparsity on the sigmoid codes h = sigmoid.h:
                 kls.rho (1) = 0.05, kls.beta (1) = 3,
                 kls.value (1) = beta * sum_j [rho log(rho/rhohat_j)
                   + (1-rho) log((1-rho)/(1-rhohat_j))], rhohat_j = mean_n h_nj,
                 kls.dh (7,5) = dK/dh.
               VAE KL term:
                 vkl.mu (7,4), vkl.logvar (7,4) (logvar in [-2,1]),
                 vkl.value (1) = sum_n KL_n, vkl.dmu (7,4), vkl.dlogvar (7,4);
                 vkl.eps (7,4), vkl.dz (7,4) upstream gradient of
                 z = mu + exp(logvar/2) * eps, and the gradients of
                 S = sum(dz * z) + sum_n KL_n: vkl.total.dmu (7,4),
                 vkl.total.dlogvar (7,4).
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in tests/ref
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import DATA_DIR, Fixture, f32, flat, load_idx_images, t64  # noqa: E402

STEPS = 5
BATCH = 32
LATENT = 20


# ---- end-to-end VAE ------------------------------------------------------------

class ExampleVAE:
    """The layers of pytorch/examples vae/main.py, in float64."""

    def __init__(self):
        torch.manual_seed(0)
        self.fc1 = torch.nn.Linear(784, 400)
        self.fc21 = torch.nn.Linear(400, LATENT)
        self.fc22 = torch.nn.Linear(400, LATENT)
        self.fc3 = torch.nn.Linear(LATENT, 400)
        self.fc4 = torch.nn.Linear(400, 784)
        self.layers = [self.fc1, self.fc21, self.fc22, self.fc3, self.fc4]
        for layer in self.layers:
            layer.double()

    def parameters(self):
        return [p for layer in self.layers for p in (layer.weight, layer.bias)]

    def flat_params(self):
        """aekit's layout: W1 b1 W2=[fc21;fc22] b2=[fc21;fc22] W3 b3 W4 b4."""
        return flat([self.fc1.weight, self.fc1.bias,
                     self.fc21.weight, self.fc22.weight,
                     self.fc21.bias, self.fc22.bias,
                     self.fc3.weight, self.fc3.bias,
                     self.fc4.weight, self.fc4.bias])

    def flat_grads(self):
        return flat([self.fc1.weight.grad, self.fc1.bias.grad,
                     self.fc21.weight.grad, self.fc22.weight.grad,
                     self.fc21.bias.grad, self.fc22.bias.grad,
                     self.fc3.weight.grad, self.fc3.bias.grad,
                     self.fc4.weight.grad, self.fc4.bias.grad])

    def encode(self, x):
        h = torch.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def decode_logits(self, z):
        return self.fc4(torch.relu(self.fc3(z)))

    def objective(self, x, eps, beta):
        """(L, recon part, KL part), each a batch mean of per-sample sums."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * eps
        logits = self.decode_logits(z)
        n = x.shape[0]
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / n
        return recon + beta * kl, recon, kl


def train_vae(x, eps, beta):
    """Runs STEPS Adam steps; returns the model and per-step values."""
    model = ExampleVAE()
    params = model.parameters()
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    xt = t64(x)
    out = dict(losses=[], recon=[], kl=[], params0=model.flat_params())
    for s in range(STEPS):
        opt.zero_grad()
        loss, recon, kl = model.objective(xt, t64(eps[s]), beta)
        loss.backward()
        if s == 0:
            out["grads0"] = model.flat_grads()
        out["losses"].append(loss.item())
        out["recon"].append(recon.item())
        out["kl"].append(kl.item())
        opt.step()
    return model, out


def make_e2e_vae(path, x):
    fx = Fixture()
    gen = np.random.default_rng(4004)
    eps = f32(gen, STEPS, BATCH, LATENT)

    model, run = train_vae(x, eps, beta=1.0)
    _, run05 = train_vae(x, eps, beta=0.5)
    assert torch.equal(run["params0"], run05["params0"])
    with torch.no_grad():
        mu, _ = model.encode(t64(x))
        y = torch.sigmoid(model.decode_logits(mu))

    fx.add("x", x)
    fx.add("params0", run["params0"])
    fx.add("eps", eps)
    fx.add("losses", run["losses"])
    fx.add("recon", run["recon"])
    fx.add("kl", run["kl"])
    # grads0 and params5 (652824 floats each) are not stored: they would
    # triple the file; the 5 losses and the evaluation outputs after 5 steps
    # already pin the gradients down (see tests/test_e2e.c)
    fx.add("eval_mu", mu)
    fx.add("eval_y", y)
    fx.add("losses_beta05", run05["losses"])
    fx.add("beta05", [0.5])
    fx.write(path)
    for key in ("losses", "recon", "kl"):
        print("  %-8s " % key + " ".join("%.6f" % v for v in run[key]))
    print("  beta0.5  " + " ".join("%.6f" % v for v in run05["losses"]))


# ---- regularizers ----------------------------------------------------------------

REG_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
}


def contractive(act, x, W, b):
    """sum_n ||d h_n / d x_n||_F^2 by explicit autograd Jacobians."""
    total = x.new_zeros(())
    for n in range(x.shape[0]):
        jac = torch.autograd.functional.jacobian(
            lambda xn: act(xn @ W.T + b), x[n], create_graph=True)
        total = total + jac.pow(2).sum()
    return total


def make_regularizers(path):
    fx = Fixture()
    gen = np.random.default_rng(5005)
    # Resample until every pre-activation is > 1e-3 away from relu's kink,
    # none saturates sigmoid/tanh (|z| < 2) and both signs are well present.
    for _ in range(1000):
        x = f32(gen, 7, 12, scale=1.0, kind="uniform")
        W = f32(gen, 5, 12, scale=0.5)
        b = f32(gen, 5, scale=0.5)
        z = x.astype(np.float64) @ W.astype(np.float64).T + b
        if (np.min(np.abs(z)) > 1e-3 and np.max(np.abs(z)) < 2.0
                and 0.3 < np.mean(z > 0) < 0.7):
            break
    else:
        raise RuntimeError("could not sample pre-activations away from 0")
    fx.add("x", x)
    fx.add("W", W)
    fx.add("b", b)

    for name, act in REG_ACTIVATIONS.items():
        xt, Wt, bt = (t64(a).requires_grad_(True) for a in (x, W, b))
        h = act(xt @ Wt.T + bt)
        c = contractive(act, xt, Wt, bt)
        dx, dW, db = torch.autograd.grad(c, (xt, Wt, bt), allow_unused=True)
        dx = torch.zeros_like(xt) if dx is None else dx
        p = name + "."
        fx.add(p + "h", h)
        fx.add(p + "contractive", [c.item()])
        fx.add(p + "contractive.dW", dW)
        fx.add(p + "contractive.db", db)
        fx.add(p + "contractive.dx", dx)
        hl = h.detach().clone().requires_grad_(True)
        l1 = hl.abs().sum()
        fx.add(p + "l1", [l1.item()])
        fx.add(p + "l1.dh", torch.sign(hl.detach()))
        print("  %-8s h in [%.3f, %.3f], contractive %.6f, l1 %.6f"
              % (name, h.min().item(), h.max().item(), c.item(), l1.item()))

    # KL sparsity on the sigmoid codes.
    rho, beta = 0.05, 3.0
    h = torch.sigmoid(t64(x) @ t64(W).T + t64(b)).requires_grad_(True)
    rhohat = h.mean(dim=0)
    k = beta * torch.sum(rho * torch.log(rho / rhohat)
                         + (1 - rho) * torch.log((1 - rho) / (1 - rhohat)))
    k.backward()
    fx.add("kls.rho", [rho])
    fx.add("kls.beta", [beta])
    fx.add("kls.value", [k.item()])
    fx.add("kls.dh", h.grad)

    # VAE KL term and the reparameterisation.
    mu = f32(gen, 7, 4)
    logvar = gen.uniform(-2.0, 1.0, (7, 4)).astype(np.float32)
    eps = f32(gen, 7, 4)
    dz = f32(gen, 7, 4)
    mut, lvt = t64(mu).requires_grad_(True), t64(logvar).requires_grad_(True)
    kl = -0.5 * torch.sum(1 + lvt - mut.pow(2) - lvt.exp())
    dmu, dlv = torch.autograd.grad(kl, (mut, lvt))
    fx.add("vkl.mu", mu)
    fx.add("vkl.logvar", logvar)
    fx.add("vkl.value", [kl.item()])
    fx.add("vkl.dmu", dmu)
    fx.add("vkl.dlogvar", dlv)
    z = mut + torch.exp(0.5 * lvt) * t64(eps)
    s = torch.sum(t64(dz) * z) - 0.5 * torch.sum(1 + lvt - mut.pow(2) - lvt.exp())
    tdmu, tdlv = torch.autograd.grad(s, (mut, lvt))
    fx.add("vkl.eps", eps)
    fx.add("vkl.dz", dz)
    fx.add("vkl.total.dmu", tdmu)
    fx.add("vkl.total.dlogvar", tdlv)
    fx.write(path)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_vae_fixtures.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    images = load_idx_images(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    x = images[:BATCH].reshape(BATCH, -1).astype(np.float32) / np.float32(255.0)

    make_e2e_vae(os.path.join(out, "e2e_vae.fx"), x)
    make_regularizers(os.path.join(out, "regularizers.fx"))


if __name__ == "__main__":
    main()
