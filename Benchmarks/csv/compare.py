#!/usr/bin/env python3
"""Times the CSV reader against pandas.read_csv on the same file, alternating the two.

    swift build -c release --product autoencoder-read-benchmark
    python3 Benchmarks/csv/make_mnist_csv.py data/mnist /tmp/mnist_train.csv
    python3 Benchmarks/csv/compare.py /tmp/mnist_train.csv [--rounds 5]

Each round runs our reader once (the autoencoder-read-benchmark executable, which reports the
read's own time, without process start) and pandas once (timed in this process), and prints
both; at the end, the medians and their ratio. The file is read once first so that both find
it in the page cache.
"""
import argparse
import re
import statistics
import subprocess
import time

import pandas


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--binary", default=".build/release/autoencoder-read-benchmark")
    parser.add_argument("--label-column", default="label")
    args = parser.parse_args()

    with open(args.csv, "rb") as f:
        while f.read(1 << 24):
            pass

    ours, theirs = [], []
    for round_ in range(args.rounds):
        out = subprocess.run([args.binary, args.csv, "--label-column", args.label_column],
                             check=True, capture_output=True, text=True).stdout
        ours.append(float(re.search(r"seconds ([0-9.e-]+)", out).group(1)))
        start = time.perf_counter()
        frame = pandas.read_csv(args.csv)
        theirs.append(time.perf_counter() - start)
        print(f"round {round_ + 1}: ours {ours[-1]:.3f} s, pandas {theirs[-1]:.3f} s ({frame.shape[0]}x{frame.shape[1]})")
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"median: ours {a:.3f} s, pandas {b:.3f} s; pandas/ours = {b / a:.2f}")


if __name__ == "__main__":
    main()
