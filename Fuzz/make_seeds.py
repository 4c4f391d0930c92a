#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/ (standard library only, deterministic).

Run from anywhere: `python3 Fuzz/make_seeds.py`. The files ref-*.safetensors and
ref-*.npy were written once by the reference implementations (Python `safetensors`
0.8.0 and numpy 2.4.6) and are kept as they are; this script does not touch them.
"""
import gzip
import json
import os
import struct

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
