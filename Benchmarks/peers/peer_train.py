#!/usr/bin/env python3
"""Trains the TF1 tutorial's MNIST autoencoders in PyTorch (eager) or hand-written numpy.

Same models, initialisation, loss, optimiser and batching as `autoencoder train --preset P`:
dense layers, sigmoid after every layer except encoder2d's 2-wide code, MSE loss, TF1-form
Adam (lr 0.01), batch 256, int(60000/256) = 234 batches per epoch, reshuffled every epoch.

  peer_train.py --framework torch|numpy --preset autoencoder|encoder2d --epochs 10 \
                --threads 2 --json out.json [--matmul-only]

--matmul-only times nothing but the matrix multiplies of each epoch's 234 forward+backward
steps (same shapes), as a floor for what any framework can reach with that BLAS.
Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when benchmarking numpy (compare.py does).
"""
import argparse, gzip, json, os, re, sys, time
from pathlib import Path

# Layer widths, the indices of layers without activation, and the weight initialiser.
PRESETS = {
    "autoencoder": ([784, 256, 128, 256, 784], set(), "normal"),
    "encoder2d": ([784, 128, 64, 10, 2, 10, 64, 128, 784], {3}, "truncated"),
}
LR, BETA1, BETA2, EPS, BATCH = 0.01, 0.9, 0.999, 1e-8, 256
DATA = Path(__file__).resolve().parents[2] / "data" / "mnist"

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--framework", choices=["torch", "numpy"], required=True)
ap.add_argument("--preset", choices=list(PRESETS), required=True)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--data", type=Path, default=DATA)
ap.add_argument("--json", type=Path)
ap.add_argument("--matmul-only", action="store_true")
args = ap.parse_args()

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

    def batch(self, data, idx):
        return data[self.torch.from_numpy(idx)]

    def step(self, x):
        torch = self.torch
        self.model.zero_grad(set_to_none=True)
        cost = torch.nn.functional.mse_loss(self.model(x), x)
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
    widths, linear, init = PRESETS[args.preset]
    rng = np.random.default_rng(args.seed)
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
        seconds.append(time.perf_counter() - start)
        if cost is not None:  # the last batch's cost, as the tutorial prints it
            costs.append(float(cost))
            print(f"Epoch: {epoch + 1:04d} cost= {costs[-1]:.9f}  ({seconds[-1]:.3f} s)")
        else:
            print(f"Epoch: {epoch + 1:04d} matmuls only  ({seconds[-1]:.3f} s)")
    test_mse = net.test_mse(test_x)
    print(f"test MSE: {test_mse}")
    if args.json:
        result = {"framework": args.framework, "preset": args.preset,
                  "mode": "matmul-only" if args.matmul_only else "train",
                  "secondsPerEpoch": seconds, "epochCosts": costs, "testMSE": test_mse, **info}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
