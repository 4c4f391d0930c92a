#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/ (standard library only, deterministic).

Run from anywhere: `python3 Fuzz/make_seeds.py`. The files ref-*.safetensors and
ref-*.npy were written once by the reference implementations (Python `safetensors`
0.8.0 and numpy 2.4.6) and are kept as they are; this script does not touch them. Nor
does it touch the files the package's own command wrote: corpus/description/preset-*.json
(`autoencoder model show --preset NAME`), and the version-3 model files and checkpoints
corpus/model/v3-*.safetensors and corpus/checkpoint/v3-*.safetensors (`autoencoder train
--model TINY.json --epochs 2 --checkpoint-every 1` on 4x4 images, SGD, RMSProp and Adam;
the data folder then renamed /data/tiny and, in the checkpoints, the training's epochs
raised to 3 so that one is left; each checked with `train --resume`).
"""
import gzip
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- safetensors -----------------------------------------------------------------------

def safetensors(entries, data, metadata=None, pad=True, raw_header=None):
    """entries: list of (name, dtype, shape, begin, end)."""
    if raw_header is None:
        header = {}
        if metadata is not None:
            header["__metadata__"] = metadata
        for name, dtype, shape, begin, end in entries:
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
        raw_header = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    if pad:
        raw_header += b" " * ((8 - len(raw_header) % 8) % 8)
    return struct.pack("<Q", len(raw_header)) + raw_header + data


f32 = lambda *v: struct.pack("<%df" % len(v), *v)

put("safetensors", "empty.safetensors", safetensors([], b""))
put("safetensors", "metadata-only.safetensors", safetensors([], b"", metadata={"format": "pt", "epochs": "3"}))
put("safetensors", "one-f32.safetensors", safetensors([("w", "F32", [2, 2], 0, 16)], f32(1, 2, 3, 4)))
put("safetensors", "scalar.safetensors", safetensors([("s", "F32", [], 0, 4)], f32(7)))
put("safetensors", "zero-sized.safetensors",
    safetensors([("a", "F32", [1], 0, 4), ("z", "F32", [0, 3], 4, 4), ("b", "F32", [1], 4, 8)], f32(1, 2)))
put("safetensors", "mixed-dtypes.safetensors", safetensors([
    ("d", "F64", [1], 0, 8), ("i", "I64", [1], 8, 16), ("f", "F32", [1], 16, 20),
    ("h", "F16", [2], 20, 24), ("b", "BF16", [1], 24, 26), ("s", "I16", [1], 26, 28),
    ("u", "U8", [2], 28, 30), ("k", "BOOL", [1], 30, 31), ("c", "I8", [1], 31, 32),
], struct.pack("<dq", 0.5, -3) + f32(1.5) + bytes([0, 0x3C, 0, 0xC0, 0x80, 0x3F, 1, 0, 9, 8, 1, 0xFF])))
put("safetensors", "escapes.safetensors", safetensors([], f32(3), raw_header=(
    '{ "\\u00e9\\ud83d\\ude00\\n\\/" : { "dtype" : "F32" , "shape" : [ ] , "data_offsets" : [ 0 , 4 ] } }'
).encode()))
# Edge cases that must be rejected: starting points for the fuzzer.
put("safetensors", "bad-gap.safetensors",
    safetensors([("a", "F32", [1], 0, 4), ("b", "F32", [1], 8, 12)], f32(1, 2, 3)))
put("safetensors", "bad-overlap.safetensors",
    safetensors([("a", "F32", [2], 0, 8), ("b", "F32", [2], 4, 12)], f32(1, 2, 3)))
put("safetensors", "bad-trailing.safetensors", safetensors([("w", "F32", [1], 0, 4)], f32(1) + b"\0"))
put("safetensors", "bad-overflow.safetensors",
    safetensors([("w", "F32", [4294967296, 4294967296], 0, 0)], b""))
put("safetensors", "bad-truncated.safetensors", safetensors([("w", "F32", [2, 2], 0, 16)], f32(1, 2, 3, 4))[:-3])
put("safetensors", "bad-length.safetensors", struct.pack("<Q", 2**63) + b"{}")
put("safetensors", "bad-duplicate.safetensors", safetensors([], f32(1), raw_header=(
    b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')))

# --- npy -------------------------------------------------------------------------------

def npy(header, data, major=1):
    text = header.encode()
    size = 2 if major == 1 else 4
    pad = 64 - (8 + size + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<H" if major == 1 else "<I", len(text)) + text + data


put("npy", "v2-f4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32(1, 2, 3), major=2))
put("npy", "v3-f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", struct.pack("<d", 2.5), major=3))
put("npy", "empty-u1.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 4), }", b""))
put("npy", "bad-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", b""))
# Empty, but the other dimensions overflow (NumPy refuses it; found by the `images` target).
put("npy", "bad-empty-overflow.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296), }", b""))

# --- idx -------------------------------------------------------------------------------

def idx(dimensions, payload):
    return bytes([0, 0, 8, len(dimensions)]) + b"".join(struct.pack(">I", d) for d in dimensions) + payload


images = idx([2, 3, 3], bytes(range(18)))
labels = idx([4], bytes([3, 1, 4, 1]))
put("idx", "images.idx3-ubyte", images)
put("idx", "labels.idx1-ubyte", labels)
put("idx", "scalar.idx", idx([], bytes([42])))
put("idx", "empty.idx", idx([0, 28, 28], b""))
put("idx", "images.idx3-ubyte.gz", gzip.compress(images, mtime=0))
put("idx", "labels.idx1-ubyte.gz", gzip.compress(labels, mtime=0))
put("idx", "two-members.gz", gzip.compress(images[:10], mtime=0) + gzip.compress(images[10:], mtime=0))
put("idx", "bad-trailing.idx", labels + b"\0")
put("idx", "bad-cut.gz", gzip.compress(images, mtime=0)[:-6])
# Empty, but the other sizes overflow (found by the `images` target).
put("idx", "bad-empty-overflow.idx", idx([0, 0x807F80FF, 0xFFFFFF04], b""))

# --- model files and checkpoints -------------------------------------------------------
# Metadata values are JSON written as the package's JSONEncoder writes them (sorted keys,
# no spaces); tensors are named and shaped as ModelFile.tensorLayout(of:) says.

def compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def layout(widths):
    """(name, shape) of every tensor of a dense autoencoder with these encoder widths."""
    all_widths = widths + widths[::-1][1:]
    depth = len(widths) - 1
    result = []
    for i in range(len(all_widths) - 1):
        prefix = "encoder.%d" % (2 * i) if i < depth else "decoder.%d" % (2 * (i - depth))
        result += [(prefix + ".weight", [all_widths[i + 1], all_widths[i]]), (prefix + ".bias", [all_widths[i + 1]])]
    return result


def model_file(widths, metadata, extra=(), change=None, architecture=None):
    """A model file of F32 tensors with small distinct values; `extra` adds (name, values)
    F32 tensors; `change(name, values)` may alter a tensor's values before writing."""
    if architecture is None:
        architecture = {"activation": "sigmoid", "biasInitializer": "normal", "codeActivation": "linear",
                        "encoderWidths": widths, "weightInitializer": "normal"}
    entries, data, counter = [], b"", 0
    tensors = []
    for name, shape in layout(widths):
        count = 1
        for d in shape:
            count *= d
        values = [((counter + k) % 17 - 8) / 16 for k in range(count)]
        counter += count
        tensors.append((name, shape, values))
    tensors += [(name, [len(values)], values) for name, values in extra]
    for name, shape, values in tensors:
        if change:
            values = change(name, values)
        blob = f32(*values)
        entries.append((name, "F32", shape, len(data), len(data) + len(blob)))
        data += blob
    meta = {"format": "swift-autoencoder", "format_version": "1", "architecture": compact(architecture)}
    meta.update(metadata)
    return safetensors(entries, data, metadata={k: v for k, v in meta.items() if v is not None})


full = {"normalization": "pixel/255", "preset": "custom", "epochs_completed": "3", "image_shape": "[2,2]",
        "training": compact({"batchSize": 2, "epochs": 3, "learningRate": 0.01, "seed": 0}),
        "code_range": compact({"high": [1, 2], "low": [-1, -2]})}
put("model", "model-4-2.safetensors", model_file([4, 2], full))
put("model", "model-3-2-1.safetensors", model_file([3, 2, 1], {}, architecture={
    "activation": "relu", "biasInitializer": "zeros", "codeActivation": "tanh", "encoderWidths": [3, 2, 1],
    "outputActivation": "sigmoid", "weightInitializer": "glorot-uniform"}))
put("model", "model-2-1-null-output.safetensors", model_file([2, 1], {"image_shape": "[1,2]"}, architecture={
    "activation": "linear", "biasInitializer": "truncated-normal", "codeActivation": "linear", "encoderWidths": [2, 1],
    "outputActivation": None, "weightInitializer": "zeros"}))
put("model", "bad-nan.safetensors", model_file([4, 2], {}, change=lambda n, v: [float("nan")] + v[1:] if n == "decoder.0.bias" else v))
put("model", "bad-unknown-field.safetensors", model_file([2, 1], {}, architecture={
    "activation": "relu", "biasInitializer": "zeros", "codeActivation": "tanh", "encoderWidths": [2, 1],
    "output_activation": "sigmoid", "weightInitializer": "normal"}))
put("model", "bad-image-shape.safetensors", model_file([4, 2], {"image_shape": "[4611686018427387904,4]"}))
put("model", "bad-code-range.safetensors", model_file([4, 2], {"code_range": compact({"high": [3e38, 1], "low": [-3e38, 0]})}))
put("model", "bad-training.safetensors", model_file([4, 2], {"training": compact({"batchSize": -1, "epochs": 0, "learningRate": -1, "seed": 0})}))
put("model", "bad-widths.safetensors", model_file([4, 2], {}, architecture={
    "activation": "sigmoid", "biasInitializer": "normal", "codeActivation": "linear", "encoderWidths": [4, 9223372036854775807],
    "weightInitializer": "normal"}))


def checkpoint(widths, state, metadata=None, change=None):
    count = sum(s[0] * (s[1] if len(s) > 1 else 1) for _, s in layout(widths))
    first = [(k % 5) / 10 for k in range(count)]
    second = [(k % 3) / 100 for k in range(count)]
    meta = {"normalization": "pixel/255", "preset": state["name"], "epochs_completed": str(state["epoch"]),
            "training": compact({"batchSize": 2, "epochs": 3, "learningRate": 0.01, "seed": 0}),
            "checkpoint": compact(state)}
    meta.update(metadata or {})
    return model_file(widths, meta, extra=[("optimizer.first_moments", first), ("optimizer.second_moments", second)],
                      change=change)


def report(epoch):
    return {"epoch": epoch, "lastBatchCost": 0.5 / epoch, "meanCost": 0.25, "seconds": 1.5}


state = {"adamBeta1": 0.9, "adamBeta1PowerBits": struct.unpack("<I", struct.pack("<f", 0.9 ** 4))[0],
         "adamBeta2": 0.999, "adamBeta2PowerBits": struct.unpack("<I", struct.pack("<f", 0.999 ** 4))[0],
         "adamEpsilon": 1e-08, "adamStep": 4, "backend": "built-in (AVX2)", "checkpointEvery": 1,
         "colorMap": "viridis", "dataFolder": "/data/mnist", "epoch": 2,
         "generatorState": ["1", "2", "3", "18446744073709551615"], "name": "custom",
         "reports": [report(1), report(2)], "trainingFingerprint": "cbf29ce484222325", "trainingSamples": 10}
put("checkpoint", "checkpoint-4-2.safetensors", checkpoint([4, 2], state, {"image_shape": "[2,2]"}))
put("model", "checkpoint-4-2.safetensors", checkpoint([4, 2], state, {"image_shape": "[2,2]"}))
minimal = {k: v for k, v in state.items() if k not in ("backend", "checkpointEvery", "dataFolder")}
minimal.update(epoch=1, reports=[report(1)], colorMap="gray", adamStep=1, name="encoder2d")
put("checkpoint", "checkpoint-3-2-1-minimal.safetensors", checkpoint([3, 2, 1], minimal))
put("checkpoint", "bad-step.safetensors", checkpoint([4, 2], dict(state, adamStep=-5)))
# Adam's step count would overflow in the epoch left (5 batches of 2 of the 10 samples).
put("checkpoint", "bad-step-overflow.safetensors", checkpoint([4, 2], dict(state, adamStep=2**63 - 3)))
put("checkpoint", "bad-generator.safetensors", checkpoint([4, 2], dict(state, generatorState=["0", "0", "0", "0"])))
put("checkpoint", "bad-second-moment.safetensors",
    checkpoint([4, 2], state, change=lambda n, v: [-1.0] + v[1:] if n == "optimizer.second_moments" else v))
put("checkpoint", "bad-model-only.safetensors", model_file([4, 2], full))

# --- model descriptions (JSON) ----------------------------------------------------------
# Hand-written: two small valid descriptions using most layer kinds, and refusals.

put("description", "small-vae-sgd.json", b'{"input_shape": [8], "encoder": [{"kind": "Dense", "units": 4}, {"kind": "Sampling"}], "decoder": [{"kind": "Dense", "units": 8, "activation": "sigmoid"}], "loss": {"kind": "binary_crossentropy", "reduction": "sum_per_sample"}, "training": {"epochs": 1, "batch_size": 2, "learning_rate": 0.001, "seed": 0, "optimizer": {"kind": "sgd", "momentum": 0.9}, "schedule": {"kind": "step", "step_size": 1}}}')
put("description", "small-conv-mixed.json", b'{"input_shape": [1, 6, 6], "encoder": [{"kind": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "leaky_relu"}, {"kind": "MaxPooling2D", "pool_size": [1, 3]}], "decoder": [{"kind": "UpSampling2D", "size": [2, 6]}, {"kind": "Conv2DTranspose", "filters": 1, "kernel_size": [3, 1], "strides": 1, "padding": "same", "activation": "tanh"}, {"kind": "ActivityRegularization", "l1": 0.01}, {"kind": "Activation", "activation": "softplus"}], "loss": {"kind": "mae", "reduction": "sum"}}')
put("description", "bad-empty.json", b"")
put("description", "bad-not-object.json", b"[1, 2, 3]")
put("description", "bad-output-width.json", b'{"input_shape": [4], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 3}]}')
put("description", "bad-kernel-too-big.json", b'{"input_shape": [1, 4, 4], "encoder": [{"kind": "Conv2D", "filters": 2, "kernel_size": 5}], "decoder": [{"kind": "Flatten"}]}')
put("description", "bad-huge-input.json", b'{"input_shape": [4096, 4096, 4096], "encoder": [{"kind": "Flatten"}], "decoder": [{"kind": "Reshape", "target_shape": [4096, 4096, 4096]}]}')
put("description", "bad-huge-units.json", b'{"input_shape": [8], "encoder": [{"kind": "Dense", "units": 9223372036854775807}], "decoder": [{"kind": "Dense", "units": 8}]}')
put("description", "bad-unknown-field.json", b'{"input_shape": [8], "encoder": [{"kind": "Dense", "units": 2, "activaton": "relu"}], "decoder": [{"kind": "Dense", "units": 8}]}')
put("description", "bad-top-field.json", b'{"input_shape": [3], "encoder": [{"kind": "Dense", "units": 1}], "decoder": [{"kind": "Dense", "units": 3}], "extra": 1}')
put("description", "bad-reduction.json", b'{"input_shape": [3], "encoder": [{"kind": "Dense", "units": 1}], "decoder": [{"kind": "Dense", "units": 3}], "loss": {"kind": "mse", "reduction": "max"}}')

# --- codes (CSV and .npy) --------------------------------------------------------------

put("codes", "plain.csv", b"0.1,0.2\n0.3,0.4\n")
put("codes", "header-label.csv", b"code_1,code_2,label\n0.5,-1.25,7\n1e-3,2E+2,3\n")
put("codes", "crlf.csv", b"x,y\r\n0.1,0.2\r\n0.3,0.4\r\n")
put("codes", "cr.csv", b"0.1,0.2\r0.3,0.4\r")
put("codes", "spaces.csv", b" 1 , 2 \n\n\t3 ,\t4\n")
put("codes", "hex-floats.csv", b"0x1p-3,-0x1.8p1,1e-45\n-0.0,3.4028235e38,7\n")
put("codes", "one-column.csv", b"code_1\n1\n2\n")
put("codes", "bad-short-line.csv", b"x,y\n1,2\n\n3\n")
put("codes", "bad-nan.csv", b"nan,1\n")
put("codes", "bad-latin1.csv", b"1,\xe9\n")
put("codes", "bad-header-only.csv", b"a,b\n")
put("codes", "codes-f4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", f32(1, 2, 3, 4, 5, 6)))
put("codes", "codes-f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", struct.pack("<4d", 0.5, -1, 1e300, 2)))
put("codes", "codes-empty.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", b""))
put("codes", "bad-u1.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2), }", b"\1\2"))

# --- images (.npy and IDX) -------------------------------------------------------------

put("images", "u1-2x2x2.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }", bytes([0, 64, 128, 255, 1, 2, 3, 4])))
put("images", "f4-2x4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", f32(0, 0.25, 0.5, 1, 1, 0.5, 0.25, 0)))
put("images", "f8-1x2x2.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }", struct.pack("<4d", 0, 1, 0.5, 1e-300)))
put("images", "bad-bright.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", f32(0.5, 2)))
put("images", "bad-1d.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32(0.5, 1)))
put("images", "images.idx3-ubyte", images)
put("images", "images.idx3-ubyte.gz", gzip.compress(images, mtime=0))
put("images", "rows.idx2-ubyte", idx([3, 4], bytes(range(0, 240, 20))))
put("images", "bad-labels.idx1-ubyte", labels)
# No images, but rows x columns past Int.max: ImageFile used to trap on it (found by this
# target); the IDX and .npy readers now refuse such sizes.
put("images", "bad-uncountable.idx", idx([0, 0x807F80FF, 0xFFFFFF04], b""))
put("images", "bad-uncountable.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296), }", b""))

# --- PNG -------------------------------------------------------------------------------

def png(width, height, depth, color, rows, chunks=(), interlace=0, raw_idat=None):
    """`rows`: the filtered scanlines (filter byte included), already in pass order when
    interlaced; `chunks`: (type, data) placed before IDAT."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace)
    idat = raw_idat if raw_idat is not None else zlib.compress(b"".join(rows), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(chunk(k, d) for k, d in chunks)
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


put("png", "rgb8-2x2.png", png(2, 2, 8, 2, [b"\0" + bytes([255, 0, 0, 0, 255, 0]), b"\1" + bytes([0, 0, 255, 1, 1, 1])]))
put("png", "gray1-3x2.png", png(3, 2, 1, 0, [b"\0\xa0", b"\0\x40"]))
put("png", "palette4-trns.png", png(4, 1, 4, 3, [b"\0\x01\x23"],
    chunks=[(b"PLTE", bytes([0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10])), (b"tRNS", bytes([0, 128]))]))
put("png", "rgba16-2x1.png", png(2, 1, 16, 6, [b"\2" + bytes(range(16))]))
put("png", "gray-alpha8-gamma.png", png(2, 2, 8, 4, [b"\0\x10\x80\x20\xff", b"\3\x30\x00\x40\x10"],
    chunks=[(b"gAMA", struct.pack(">I", 45455)), (b"sRGB", b"\0")]))
# 3x3 grey, Adam7-interlaced; only passes 1, 4, 5, 6 and 7 have pixels in so small an image:
# (0,0); (2,0); row 2 at columns 0 and 2; rows 0 and 2 at column 1; all of row 1.
put("png", "interlaced-gray8-3x3.png", png(3, 3, 8, 0, [b"\0\x01", b"\0\x02", b"\0\x03\x04", b"\0\x05", b"\0\x06",
                                                         b"\0\x07\x08\x09"], interlace=1))
put("png", "bad-cut.png", png(2, 2, 8, 2, [b"\0" + bytes(6), b"\0" + bytes(6)])[:-20])
put("png", "bad-crc.png", png(1, 1, 8, 0, [b"\0\x00"]).replace(b"IDAT", b"IDAU"))
# 524290x16385 pixels in 78 bytes: PNG.decode used to allocate 26 GB (found by this target).
put("png", "bad-huge.png", png(524290, 16385, 16, 6, [b"\0" * 64]))
