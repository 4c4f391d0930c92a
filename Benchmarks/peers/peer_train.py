#!/usr/bin/env python3
"""Trains our presets' MNIST autoencoders in PyTorch (eager) or hand-written numpy.

Same models, initialisation, loss, optimiser and batching as `autoencoder train --preset P`.

The TF1 tutorial's two (torch and numpy): dense layers, sigmoid after every layer except
encoder2d's 2-wide code, MSE loss, TF1-form Adam (lr 0.01), batch 256, int(60000/256) = 234
batches per epoch, reshuffled every epoch.

The others (torch only), batch 128 (sparse and deep 256), 60000 // batch batches per epoch:
- conv: the Keras blog's convolutional autoencoder. Conv2d 1→16, 16→8, 8→8 (3x3, ReLU,
  'same' = padding 1 for a stride-1 3x3 kernel), each followed by MaxPool2d(2) with TF's
  'same' padding (7x7 → 4x4: ceil_mode=True, the same as padding the bottom/right with -inf);
  decoder Conv 8→8 + Upsample 2 (nearest), Conv 8→8 + Upsample 2, Conv 8→16 3x3 'valid'
  + Upsample 2, Conv 16→1 3x3 'same'. Glorot-uniform weights, zero biases (Keras's and ours).
  Binary cross-entropy from the last convolution's logits (mean over every pixel).
  torch.optim.Adam(lr=1e-3, eps=1e-7): ours is Keras's form, which adds ε to √v before the
  bias correction of the step size, PyTorch after it (PyTorch's ε is Keras's ε·√(1−β2^t)):
  the same update up to ε, ~1e-7 against √v.
- vae: pytorch/examples' VAE as ours describes it: 784→400 ReLU → Linear 400→40 (means ‖
  log-variances; pytorch/examples has two 400→20 layers, the same map), z = μ + ε·exp(½ log σ²),
  20→400 ReLU → 784. Loss: binary cross-entropy from the logits summed over the batch plus the
  KL divergence, divided by the batch (ours averages per sample; pytorch/examples does not
  divide, which only scales the gradient, and Adam is nearly invariant to that). Glorot-uniform
  weights and zero biases (ours; pytorch/examples has PyTorch's defaults).
  torch.optim.Adam(lr=1e-3) (eps 1e-8; ours is TF1's form with the same ε, see conv).
- tuned: our recipe on the tutorial's widths: 784→256 ReLU→128 linear→256 ReLU→784, He-uniform
  weights before a ReLU and Glorot-uniform otherwise (Keras's limits: √(6/fan_in) and
  √(6/(fan_in+fan_out))), zero biases; binary cross-entropy from the last layer's logits (mean
  over every pixel); torch.optim.Adam(lr=1e-3, eps 1e-8) with a cosine schedule over the run's
  epochs down to 0, stepped once per epoch (CosineAnnealingLR(T_max=epochs): ours is
  lr·(1 + cos(π·e/epochs))/2 for epoch e, the same). No noise, no dropout.

- conv-denoising: conv trained on its inputs plus 0.5 times standard normal noise, clipped to
  [0, 1], against the clean images (the Keras blog's denoising example).
- vae2d: vae with a 2-wide code (400→4 for means ‖ log-variances).
- sparse: 784→32 ReLU → 784, binary cross-entropy from the logits plus 1e-5 times the codes'
  absolute values summed per sample and averaged over the batch (Keras's ActivityRegularization
  l1, ours); batch 256, Adam(lr=1e-3, eps=1e-7), Glorot-uniform weights.
- deep: 784→128→64→32→64→128→784, ReLU but for the last layer's logits; as sparse otherwise.
- tuned2d: 784→512→256→128→2 linear, 2→128→256→512→784 (ReLU, He-uniform before a ReLU,
  Glorot-uniform otherwise); inputs with 30 % of their values set to 0 (masking noise) against
  the clean images; batch 128, Adam(lr=1e-3), the cosine schedule of tuned.

--compile (torch) runs the model's forward pass and loss through torch.compile (inductor, its
default mode); autograd compiles the backward pass with it, the optimizer stays eager. The
first epoch includes the compilation (compare.py leaves it out as warm-up).

  peer_train.py --framework torch|numpy --preset autoencoder|encoder2d|conv|vae|tuned|… --epochs 10 \
                --threads 2 --json out.json [--matmul-only | --compile]

--matmul-only (dense presets) times nothing but the matrix multiplies of each epoch's 234
forward+backward steps (same shapes), as a floor for what any framework can reach with that BLAS.
Besides the per-epoch seconds it reports the test MSE (reconstruction against the image; the
VAE decodes its means, as ours does) and the test loss (the training objective on the test set;
the VAE's samples its codes, as pytorch/examples' test does).
Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when benchmarking numpy (compare.py does).
"""
import argparse, gzip, json, os, re, sys, time
from pathlib import Path

# The dense presets: layer widths, the indices of layers without activation, and the weight initialiser.
PRESETS = {
    "autoencoder": ([784, 256, 128, 256, 784], set(), "normal"),
    "encoder2d": ([784, 128, 64, 10, 2, 10, 64, 128, 784], {3}, "truncated"),
}
# The described presets (PyTorch only): batch size, Adam's learning rate and ε.
MODULES = {"conv": (128, 1e-3, 1e-7), "vae": (128, 1e-3, 1e-8), "tuned": (128, 1e-3, 1e-8),
           "conv-denoising": (128, 1e-3, 1e-7), "vae2d": (128, 1e-3, 1e-8), "sparse": (256, 1e-3, 1e-7),
           "deep": (256, 1e-3, 1e-7), "tuned2d": (128, 1e-3, 1e-8)}
# The presets whose learning rate follows a cosine over the run's epochs.
COSINE = {"tuned", "tuned2d"}
LR, BETA1, BETA2, EPS, BATCH = 0.01, 0.9, 0.999, 1e-8, 256
DATA = Path(__file__).resolve().parents[2] / "data" / "mnist"

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--framework", choices=["torch", "numpy"], required=True)
ap.add_argument("--preset", choices=list(PRESETS) + list(MODULES), required=True)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--data", type=Path, default=DATA)
ap.add_argument("--json", type=Path)
ap.add_argument("--matmul-only", action="store_true")
ap.add_argument("--compile", action="store_true", help="torch.compile the forward pass and loss (torch only)")
args = ap.parse_args()
if args.compile and (args.framework != "torch" or args.matmul_only):
    ap.error("--compile needs --framework torch (and no --matmul-only)")
if args.preset in MODULES and (args.framework != "torch" or args.matmul_only):
    ap.error(f"--preset {args.preset} runs in PyTorch only (--framework torch, no --matmul-only)")
if args.preset in MODULES:
    BATCH = MODULES[args.preset][0]

# BLAS reads its thread count when loaded: set it before numpy/torch are imported.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(args.threads))
import numpy as np
try:
    from threadpoolctl import threadpool_info, threadpool_limits
    threadpool_limits(args.threads)
except ImportError:
    threadpool_info = lambda: []


def load_images(name):
    """An IDX image file as float32 rows of 784 pixels in [0, 1]."""
    with gzip.open(args.data / name) as f:
        raw = f.read()
    assert int.from_bytes(raw[:4], "big") == 2051, f"{name}: not an IDX image file"
    n = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255


def init_params(widths, init, rng):
    """[(W [in, out], b [out])]: W ~ N(0,1) or truncated N(0,1) (|w| > 2 redrawn), b ~ N(0,1)."""
    params = []
    for n_in, n_out in zip(widths, widths[1:]):
        w = rng.standard_normal((n_in, n_out))
        while init == "truncated" and (bad := np.abs(w) > 2).any():
            w[bad] = rng.standard_normal(bad.sum())
        params.append((w.astype(np.float32), rng.standard_normal(n_out).astype(np.float32)))
    return params


def tf1_step_size(t):
    return LR * (1 - BETA2**t) ** 0.5 / (1 - BETA1**t)


class NumpyNet:
    """Forward, backward and Adam written out by hand, float32, x @ W with W [in, out]."""
    batch = staticmethod(lambda data, idx: data[idx])

    def __init__(self, params, linear):
        self.p = [a.copy() for wb in params for a in wb]  # W0, b0, W1, b1, ...
        self.m = [np.zeros_like(a) for a in self.p]
        self.v = [np.zeros_like(a) for a in self.p]
        self.linear, self.t = linear, 0

    def forward(self, x):
        acts = [x]
        with np.errstate(over="ignore"):  # exp(-z) overflows to inf for z < -88: sigmoid 0
            for layer in range(len(self.p) // 2):
                z = acts[-1] @ self.p[2 * layer] + self.p[2 * layer + 1]
                if layer not in self.linear:  # sigmoid, in place
                    np.negative(z, out=z); np.exp(z, out=z); z += 1; np.reciprocal(z, out=z)
                acts.append(z)
        return acts

    def step(self, x):
        acts = self.forward(x)
        diff = acts[-1] - x
        cost = np.dot(diff.ravel(), diff.ravel()) / diff.size
        d = diff * np.float32(2 / diff.size)  # d cost / d output
        grads = [None] * len(self.p)
        for layer in reversed(range(len(self.p) // 2)):
            if layer not in self.linear:
                a = acts[layer + 1]
                d *= a * (1 - a)
            grads[2 * layer] = acts[layer].T @ d
            grads[2 * layer + 1] = d.sum(axis=0)
            if layer:
                d = d @ self.p[2 * layer].T
        self.t += 1
        lr_t = np.float32(tf1_step_size(self.t))
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m *= BETA1; m += (1 - BETA1) * g
            v *= BETA2; v += (1 - BETA2) * g * g
            p -= lr_t * m / (np.sqrt(v) + EPS)
        return cost

    def test_mse(self, x):
        return float(np.mean((self.forward(x)[-1] - x) ** 2))


class TorchNet:
    """nn.Sequential of nn.Linear + nn.Sigmoid, autograd, and TF1-form Adam on _foreach ops."""

    def __init__(self, params, linear):
        import torch
        self.torch, layers = torch, []
        for layer, (w, b) in enumerate(params):
            lin = torch.nn.Linear(*w.shape)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w.T)); lin.bias.copy_(torch.from_numpy(b))
            layers += [lin] if layer in linear else [lin, torch.nn.Sigmoid()]
        self.model = torch.nn.Sequential(*layers)
        self.p = list(self.model.parameters())
        self.m = [torch.zeros_like(p) for p in self.p]
        self.v = [torch.zeros_like(p) for p in self.p]
        self.t = 0
        loss = lambda x: torch.nn.functional.mse_loss(self.model(x), x)
        self.loss = torch.compile(loss) if args.compile else loss

    def batch(self, data, idx):
        return data[self.torch.from_numpy(idx)]

    def step(self, x):
        torch = self.torch
        self.model.zero_grad(set_to_none=True)
        cost = self.loss(x)
        cost.backward()
        self.t += 1
        with torch.no_grad():
            grads = [p.grad for p in self.p]
            torch._foreach_lerp_(self.m, grads, 1 - BETA1)  # m += (1-b1)(g - m)
            torch._foreach_mul_(self.v, BETA2)
            torch._foreach_addcmul_(self.v, grads, grads, 1 - BETA2)
            denom = torch._foreach_sqrt(self.v)
            torch._foreach_add_(denom, EPS)
            torch._foreach_addcdiv_(self.p, self.m, denom, -tf1_step_size(self.t))
        return cost.detach()

    def test_mse(self, x):
        with self.torch.no_grad():
            return float(self.torch.nn.functional.mse_loss(self.model(x), x))


def conv_module(torch):
    """The Keras blog's convolutional autoencoder (see the module's description), ending in logits."""
    nn = torch.nn
    conv = lambda c, f, padding=1: nn.Conv2d(c, f, 3, padding=padding)
    pool = lambda: nn.MaxPool2d(2, ceil_mode=True)  # TF's 'same': 7x7 → 4x4, the last window half outside
    up = lambda: nn.Upsample(scale_factor=2, mode="nearest")
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        conv(1, 16), nn.ReLU(), pool(), conv(16, 8), nn.ReLU(), pool(), conv(8, 8), nn.ReLU(), pool(),
        conv(8, 8), nn.ReLU(), up(), conv(8, 8), nn.ReLU(), up(), conv(8, 16, padding=0), nn.ReLU(), up(),
        conv(16, 1), nn.Flatten())


def dense_module(torch, widths, linear_code):
    """Dense layers through `widths` with a ReLU after each but the last (and the code's, at the
    middle width, when `linear_code`), ending in logits."""
    nn = torch.nn
    layers, middle = [], len(widths) // 2
    for index, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(a, b))
        if index < len(widths) - 2 and not (linear_code and index + 1 == middle):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def tuned_module(torch):
    """Our tuned recipe's 784→256→128→256→784 (ReLU, linear code, ReLU), ending in logits."""
    return dense_module(torch, [784, 256, 128, 256, 784], linear_code=True)


def tuned2d_module(torch):
    return dense_module(torch, [784, 512, 256, 128, 2, 128, 256, 512, 784], linear_code=True)


def deep_module(torch):
    return dense_module(torch, [784, 128, 64, 32, 64, 128, 784], linear_code=False)


def sparse_module(torch):
    return dense_module(torch, [784, 32, 784], linear_code=False)


class VAEModule:
    """pytorch/examples' VAE with one 400→40 layer for means and log-variances; logits out."""

    def __init__(self, torch, code=20):
        nn = torch.nn
        self.torch, self.code = torch, code
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 2 * code))
        self.decoder = nn.Sequential(nn.Linear(code, 400), nn.ReLU(), nn.Linear(400, 784))
        self.modules = nn.ModuleList([self.encoder, self.decoder])

    def __call__(self, x, sample=True):
        stats = self.encoder(x)
        mu, logvar = stats[:, :self.code], stats[:, self.code:]
        z = mu + self.torch.randn_like(mu) * self.torch.exp(0.5 * logvar) if sample else mu
        return self.decoder(z), mu, logvar


class TorchModule:
    """A described preset (conv, vae, tuned, …): a torch module, autograd, torch.optim.Adam (see
    the module's description)."""

    def __init__(self, preset):
        import torch
        self.torch, self.preset = torch, preset
        torch.manual_seed(args.seed)
        self.vae = preset in ("vae", "vae2d")
        builders = {"conv": conv_module, "conv-denoising": conv_module, "tuned": tuned_module,
                    "tuned2d": tuned2d_module, "deep": deep_module, "sparse": sparse_module}
        self.model = VAEModule(torch, code=2 if preset == "vae2d" else 20) if self.vae else builders[preset](torch)
        sequential = self.model.modules if self.vae else self.model
        # Keras's and ours: Glorot-uniform weights (He-uniform, √(6/fan_in), before a ReLU in
        # tuned and tuned2d), zero biases.
        with torch.no_grad():
            layers = list(sequential.modules())
            for index, layer in enumerate(layers):
                if not isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
                    continue
                torch.nn.init.zeros_(layer.bias)
                before_relu = index + 1 < len(layers) and isinstance(layers[index + 1], torch.nn.ReLU)
                if preset in COSINE and before_relu:
                    torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
                else:
                    torch.nn.init.xavier_uniform_(layer.weight)
        self.p = list(sequential.parameters())
        _, lr, eps = MODULES[preset]
        self.optimizer = torch.optim.Adam(self.p, lr=lr, eps=eps)
        self.schedule = (torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=args.epochs, eta_min=0)
                         if preset in COSINE else None)
        self.train_loss = torch.compile(self.loss) if args.compile else self.loss

    def end_epoch(self):
        if self.schedule:
            self.schedule.step()

    def batch(self, data, idx):
        return data[self.torch.from_numpy(idx)]

    def corrupt(self, x):
        """The noisy inputs of the denoising presets (the clean images are the targets)."""
        if self.preset == "conv-denoising":
            return (x + 0.5 * self.torch.randn_like(x)).clamp_(0, 1)
        if self.preset == "tuned2d":
            return x * (self.torch.rand_like(x) >= 0.3)
        return x

    def loss(self, x, sample=True):
        F = self.torch.nn.functional
        if self.preset == "sparse":
            code = self.model[1](self.model[0](x))
            return (F.binary_cross_entropy_with_logits(self.model[2](code), x)
                    + 1e-5 * code.abs().sum() / x.shape[0])
        if not self.vae:
            return F.binary_cross_entropy_with_logits(self.model(self.corrupt(x) if sample else x), x)
        logits, mu, logvar = self.model(x, sample)
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kld = -0.5 * self.torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kld) / x.shape[0]

    def step(self, x):
        self.optimizer.zero_grad(set_to_none=True)
        cost = self.train_loss(x)
        cost.backward()
        self.optimizer.step()
        return cost.detach()

    def reconstruct(self, x):
        out = self.model(x, sample=False)[0] if self.vae else self.model(x)
        return self.torch.sigmoid(out)

    def test_mse(self, x):
        with self.torch.no_grad():
            return float(sum(((self.reconstruct(c) - c) ** 2).sum() for c in x.split(1000)) / x.numel())

    def test_loss(self, x):
        with self.torch.no_grad():
            # The VAE samples its codes (pytorch/examples' test); the denoising presets see clean inputs.
            return float(sum(self.loss(c, sample=self.vae) * c.shape[0] for c in x.split(1000)) / x.shape[0])


class MatmulOnly:
    """Just the GEMMs of one forward+backward step, into preallocated outputs; no training."""

    def __init__(self, params, linear, xp):
        mm = xp.matmul
        rand = lambda *shape: xp.asarray(np.random.default_rng(1).random(shape, dtype=np.float32))
        ws = [rand(*w.shape) for w, _ in params]
        acts = [rand(BATCH, w.shape[0]) for w in ws] + [rand(BATCH, ws[-1].shape[1])]
        deltas = [rand(BATCH, w.shape[1]) for w in ws]
        gws, das = [rand(*w.shape) for w in ws], [rand(BATCH, w.shape[0]) for w in ws]

        def step(_):
            for l, w in enumerate(ws):  # forward: a[l+1] = a[l] @ W
                mm(acts[l], w, out=acts[l + 1])
            for l in reversed(range(len(ws))):  # backward: dW = a.T @ d, da = d @ W.T
                mm(acts[l].T, deltas[l], out=gws[l])
                if l:
                    mm(deltas[l], ws[l].T, out=das[l])
            return None
        self.step, self.batch, self.test_mse = step, (lambda data, idx: None), (lambda x: None)


def main():
    rng = np.random.default_rng(args.seed)
    if args.preset in PRESETS:
        widths, linear, init = PRESETS[args.preset]
        params = init_params(widths, init, rng)
    train_x, test_x = load_images("train-images-idx3-ubyte.gz"), load_images("t10k-images-idx3-ubyte.gz")
    info = {"threads": args.threads, "blas": [
        {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
        for d in threadpool_info()]}
    if args.framework == "torch":
        import torch
        torch.set_num_threads(args.threads)
        train_x, test_x = torch.from_numpy(train_x), torch.from_numpy(test_x)
        blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())  # torch's own BLAS, not numpy's
        info |= {"version": torch.__version__, "cpuCapability": torch.backends.cpu.get_cpu_capability(),
                 "blas": [{"internal_api": blas and blas[1], "num_threads": torch.get_num_threads()}]}
        if args.preset in MODULES:
            net = TorchModule(args.preset)
        else:
            net = MatmulOnly(params, linear, torch) if args.matmul_only else TorchNet(params, linear)
    else:
        info |= {"version": np.__version__}
        net = MatmulOnly(params, linear, np) if args.matmul_only else NumpyNet(params, linear)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"note: {var}={os.environ[var]} is set (can slow OpenBLAS: unset it to benchmark)", file=sys.stderr)
    print(f"{args.framework} {info}", file=sys.stderr)

    seconds, costs = [], []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        perm = rng.permutation(len(train_x))
        for i in range(len(train_x) // BATCH):
            cost = net.step(net.batch(train_x, perm[i * BATCH:(i + 1) * BATCH]))
        if hasattr(net, "end_epoch"):
            net.end_epoch()
        seconds.append(time.perf_counter() - start)
        if cost is not None:  # the last batch's cost, as the tutorial prints it
            costs.append(float(cost))
            print(f"Epoch: {epoch + 1:04d} cost= {costs[-1]:.9f}  ({seconds[-1]:.3f} s)")
        else:
            print(f"Epoch: {epoch + 1:04d} matmuls only  ({seconds[-1]:.3f} s)")
    test_mse = net.test_mse(test_x)
    print(f"test MSE: {test_mse}")
    test_loss = net.test_loss(test_x) if hasattr(net, "test_loss") else None
    if test_loss is not None:
        print(f"test loss: {test_loss}")
    if args.json:
        result = {"framework": args.framework, "preset": args.preset,
                  "mode": "matmul-only" if args.matmul_only else "compiled" if args.compile else "train",
                  "secondsPerEpoch": seconds, "epochCosts": costs, "testMSE": test_mse,
                  **({"testLoss": test_loss} if test_loss is not None else {}), **info}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
