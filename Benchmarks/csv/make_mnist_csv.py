#!/usr/bin/env python3
"""Writes MNIST's 60,000 training images as a CSV table (label, then 784 pixel columns)
with a header row: the file the CSV reader's benchmark reads.

    python3 Benchmarks/csv/make_mnist_csv.py data/mnist /tmp/mnist_train.csv
"""
import gzip
import sys

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    folder, out = sys.argv[1], sys.argv[2]
    images = read_idx(f"{folder}/train-images-idx3-ubyte.gz").reshape(60000, -1)
    labels = read_idx(f"{folder}/train-labels-idx1-ubyte.gz")
    table = np.concatenate([labels[:, None], images], axis=1)
    header = "label," + ",".join(f"pixel{i}" for i in range(images.shape[1]))
    np.savetxt(out, table, fmt="%d", delimiter=",", header=header, comments="")


if __name__ == "__main__":
    main()
