#!/usr/bin/env python3
"""One-class MNIST anomaly detection with the `autoencoder` CLI.

For each digit d: train a model on the training images of d only (`train --only-labels d`),
score the whole test set with d as the normal label (`score --normal-labels d`), and read
the ROC-AUC from scores.json. Prints a markdown table of the AUC per digit and the mean
next to Ruff et al., "Deep One-Class Classification", ICML 2018, Table 1 (MNIST).

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/one-class/one_class.py [--preset deep] [--epochs 50] [--digits 0,1,...]
"""
import argparse
import json
import os
import subprocess
import sys
import time

# Ruff et al., ICML 2018 (PMLR 80:4393-4402), Table 1, MNIST rows: AUC in % (mean ± std over 10 seeds).
DCAE = ["97.6±0.7", "98.3±0.6", "85.4±2.4", "86.7±0.9", "86.5±2.0", "78.2±2.7", "94.6±0.5", "92.3±1.0", "86.5±1.6", "90.4±1.8"]
DEEP_SVDD = ["98.0±0.7", "99.7±0.1", "91.7±0.8", "91.9±1.5", "94.9±0.8", "88.5±0.9", "98.3±0.5", "94.6±0.9", "93.9±1.6", "96.5±0.3"]


def mean(cells):
    return sum(float(c.split("±")[0]) for c in cells) / len(cells)


def run(command, log):
    with open(log, "w") as out:
        status = subprocess.call(command, stdout=out, stderr=subprocess.STDOUT)
    if status != 0:
        sys.exit(f"{' '.join(command)} failed (exit {status}); see {log}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/autoencoder")
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--output", default="runs/one-class")
    parser.add_argument("--preset", default="deep")
    parser.add_argument("--model", help="a model description (JSON) instead of --preset")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--error", default="mse")
    parser.add_argument("--digits", default="0,1,2,3,4,5,6,7,8,9")
    args = parser.parse_args()

    digits = [int(d) for d in args.digits.split(",")]
    aucs = {}
    started = time.time()
    for digit in digits:
        folder = os.path.join(args.output, f"digit-{digit}")
        os.makedirs(folder, exist_ok=True)
        model = ["--model", args.model] if args.model else ["--preset", args.preset]
        run([args.binary, "train", *model, "--only-labels", str(digit), "--epochs", str(args.epochs),
             "--data", args.data, "--output", folder], os.path.join(folder, "train.log"))
        run([args.binary, "score", "--model", os.path.join(folder, "model.safetensors"), "--data", args.data,
             "--normal-labels", str(digit), "--error", args.error, "--percentile", "95",
             "--output", os.path.join(folder, "scores")], os.path.join(folder, "score.log"))
        with open(os.path.join(folder, "scores", "scores.json")) as file:
            aucs[digit] = json.load(file)["metrics"]["rocAUC"]
        print(f"digit {digit}: ROC-AUC {100 * aucs[digit]:.1f} ({time.time() - started:.0f} s so far)", file=sys.stderr)

    print("| digit | ours | DCAE (Ruff et al.) | OC Deep SVDD (Ruff et al.) |")
    print("|---|---|---|---|")
    for digit in digits:
        print(f"| {digit} | {100 * aucs[digit]:.1f} | {DCAE[digit]} | {DEEP_SVDD[digit]} |")
    ours = 100 * sum(aucs.values()) / len(aucs)
    print(f"| mean | **{ours:.1f}** | {mean([DCAE[d] for d in digits]):.1f} | {mean([DEEP_SVDD[d] for d in digits]):.1f} |")
    print(f"\nTotal time: {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
