#!/usr/bin/env python3
"""The Python side of swift-autoencoder's model files, with numpy and safetensors only.

    encode MODEL INPUT OUTPUT.npy      codes of INPUT (IDX, raw or .gz, or .npy) by MODEL
    compare A.npy B.npy [--tolerance]  exit 1 unless the arrays agree elementwise
    write-model OUTPUT --widths 784,32,2 [--activation sigmoid] [--code-activation linear]
                [--output-activation sigmoid] [--seed 1]
                                       a model file written from Python, same names and metadata

A model file is a safetensors file whose tensors are named like the state_dict of

    encoder = nn.Sequential(Linear(w0, w1), act, Linear(w1, w2), act, ..., Linear(., code), code_act)
    decoder = nn.Sequential(Linear(code, .), act, ..., Linear(., w0), act)

(Linear i of each half is module 2i: encoder.0.weight [out, in], encoder.0.bias [out], ...),
with the architecture as JSON in the header's __metadata__ (see docs/file-formats.md).
"""
import argparse
import gzip
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

ACTIVATIONS = {
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
}


def load_model(path):
    """The tensors (float64 copies) and the decoded metadata of a model file."""
    with safe_open(path, framework="np") as f:
        metadata = f.metadata() or {}
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    if metadata.get("format") != "swift-autoencoder":
        sys.exit(f"{path}: not a swift-autoencoder model file")
    architecture = json.loads(metadata["architecture"])
    return tensors, architecture, metadata


def encoder_layers(tensors, architecture):
    """(weight, bias, activation) of each encoder layer, in order."""
    widths = architecture["encoderWidths"]
    depth = len(widths) - 1
    layers = []
    for i in range(depth):
        w = tensors[f"encoder.{2 * i}.weight"].astype(np.float64)
        b = tensors[f"encoder.{2 * i}.bias"].astype(np.float64)
        assert w.shape == (widths[i + 1], widths[i]), (w.shape, widths)
        act = architecture["codeActivation"] if i == depth - 1 else architecture["activation"]
        layers.append((w, b, ACTIVATIONS[act]))
    return layers


def encode(tensors, architecture, x):
    """y = f(x W^T + b) layer after layer (as nn.Linear computes), in float64."""
    h = x.astype(np.float64)
    for w, b, f in encoder_layers(tensors, architecture):
        h = f(h @ w.T + b)
    return h


def read_images(path):
    """Images as float rows in [0, 1]: IDX bytes / 255, .npy uint8 / 255, .npy floats as they are."""
    if path.endswith(".npy"):
        a = np.load(path)
        a = a.reshape(a.shape[0], -1)
        return a.astype(np.float64) / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 0x08, "not an IDX file of unsigned bytes"
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims[0], -1).astype(np.float64) / 255.0


def command_encode(args):
    tensors, architecture, _ = load_model(args.model)
    codes = encode(tensors, architecture, read_images(args.input)).astype(np.float32)
    np.save(args.output, codes)
    print(f"wrote {codes.shape} to {args.output}")


def command_compare(args):
    a, b = np.load(args.a), np.load(args.b)
    if a.shape != b.shape:
        print(f"shapes differ: {a.shape} vs {b.shape}")
        return 1
    diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
    print(f"max abs difference {diff:.3g} over {a.size} values (tolerance {args.tolerance:g})")
    return 0 if diff <= args.tolerance else 1


def command_write_model(args):
    widths = [int(w) for w in args.widths.split(",")]
    all_widths = widths + widths[::-1][1:]
    depth = len(widths) - 1
    rng = np.random.default_rng(args.seed)
    tensors = {}
    for i in range(len(all_widths) - 1):
        prefix = f"encoder.{2 * i}" if i < depth else f"decoder.{2 * (i - depth)}"
        fan_in, fan_out = all_widths[i], all_widths[i + 1]
        # Drawn as the metadata below says: glorot-uniform weights, N(0, 1) biases.
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        tensors[prefix + ".weight"] = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        tensors[prefix + ".bias"] = rng.standard_normal(fan_out).astype(np.float32)
    architecture = {
        "encoderWidths": widths, "activation": args.activation, "codeActivation": args.code_activation,
        "weightInitializer": "glorot-uniform", "biasInitializer": "normal",
    }
    if args.output_activation:
        architecture["outputActivation"] = args.output_activation
    metadata = {
        "format": "swift-autoencoder", "format_version": "1", "architecture": json.dumps(architecture),
        "preset": "custom", "normalization": "pixel/255",
    }
    side = int(round(widths[0] ** 0.5))
    if side * side == widths[0]:
        metadata["image_shape"] = json.dumps([side, side])
    save_file(tensors, args.output, metadata=metadata)
    print(f"wrote {len(tensors)} tensors to {args.output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("encode")
    p.add_argument("model"), p.add_argument("input"), p.add_argument("output")
    p = sub.add_parser("compare")
    p.add_argument("a"), p.add_argument("b"), p.add_argument("--tolerance", type=float, default=1e-5)
    p = sub.add_parser("write-model")
    p.add_argument("output")
    p.add_argument("--widths", required=True)
    p.add_argument("--activation", default="sigmoid", choices=sorted(ACTIVATIONS))
    p.add_argument("--code-activation", default="linear", choices=sorted(ACTIVATIONS))
    p.add_argument("--output-activation", default=None, choices=sorted(ACTIVATIONS))
    p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        if args.command == "encode":
            command_encode(args)
        elif args.command == "compare":
            sys.exit(command_compare(args))
        else:
            command_write_model(args)
    except (OSError, ValueError, KeyError) as error:  # a missing or malformed file: one line, exit 1
        sys.exit(f"autoencoder_interop.py {args.command}: {error}")


if __name__ == "__main__":
    main()
