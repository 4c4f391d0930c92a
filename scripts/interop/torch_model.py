#!/usr/bin/env python3
"""Builds the PyTorch module of a swift-autoencoder model file of format version 3 (a model
*description*) and runs it (needs torch, numpy and safetensors: scripts/setup-python.sh).

    python torch_model.py reconstruct MODEL.safetensors INPUT.npy OUTPUT.npy
    python torch_model.py encode      MODEL.safetensors INPUT.npy OUTPUT.npy
    python torch_model.py show        MODEL.safetensors

INPUT.npy holds n samples as [n, features] (or any [n, ...] of as many values per sample),
already normalised as the model expects (pixels / 255); OUTPUT.npy gets [n, features] float32
reconstructions, or [n, code] float32 codes.

In Python:

    from torch_model import build_module, from_file
    model = from_file("model.safetensors")          # built, loaded strictly, in eval mode
    model = build_module(json.loads(description))   # the same module with fresh weights

The module is an `Autoencoder` with two nn.Sequentials, `encoder` and `decoder`, whose
state_dict names are the file's tensor names: a description layer with an `activation`
field (Dense, Conv2D, Conv2DTranspose) is two modules, the layer then its activation
(nn.Identity for linear); every other layer is one. 'same' padding is TensorFlow's (the odd
element of an odd total below and right), which PyTorch's modules do not have, so the
convolution and pooling modules here are subclasses of nn.Conv2d, nn.ConvTranspose2d and
nn.MaxPool2d that pad (or crop) first; their parameters keep nn.Conv2d's names and layouts.
"""
import argparse
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from torch import nn

DESCRIPTION_FORMAT_VERSION = "3"


# MARK: Activations

def activation_module(name):
    """The module of a description's activation name (Keras's names, Keras's constants)."""
    modules = {
        "linear": nn.Identity,
        "sigmoid": nn.Sigmoid,
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "leaky_relu": lambda: nn.LeakyReLU(negative_slope=0.2),   # Keras 3's slope, not PyTorch's 0.01
        "elu": lambda: nn.ELU(alpha=1.0),
        "softplus": nn.Softplus,
    }
    if name not in modules:
        raise ValueError(f"unknown activation '{name}'")
    return modules[name]()


# MARK: Geometry (Sources/AutoencoderNetwork/Layers/ImageGeometry.swift, Conv2DTranspose.swift)

def pair(value):
    """A `kernel_size`/`strides`/`pool_size`/`size` field: 3 or [3, 5] as (height, width)."""
    if isinstance(value, int):
        return value, value
    height, width = value
    return int(height), int(width)


def slide(length, kernel, stride, padding):
    """Keras's window positions along a side and TensorFlow's padding (before, after)."""
    if padding == "valid":
        if kernel > length:
            raise ValueError(f"a kernel of {kernel} does not fit a side of {length} with valid padding")
        return (length - kernel) // stride + 1, 0, 0
    positions = (length + stride - 1) // stride
    total = max((positions - 1) * stride + kernel - length, 0)
    return positions, total // 2, total - total // 2


def transposed_slide(length, kernel, stride, padding):
    """A transposed convolution's output length along a side and the rows cropped before it
    from the full result `(length - 1)·stride + kernel` (see Conv2DTranspose.swift)."""
    if padding == "valid":
        return length * stride + max(kernel - stride, 0), 0
    return length * stride, max(kernel - stride, 0) // 2


# MARK: Modules

class SameConv2d(nn.Conv2d):
    """nn.Conv2d after F.pad(x, (left, right, top, bottom)): TensorFlow's 'same' padding."""

    def __init__(self, *args, pads=(0, 0, 0, 0), **kwargs):
        super().__init__(*args, padding=0, **kwargs)
        self.pads = tuple(pads)

    def forward(self, x):
        return super().forward(F.pad(x, self.pads) if any(self.pads) else x)

    def extra_repr(self):
        return super().extra_repr() + f", tf_same_pads={self.pads}"


class CroppedConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d whose full result is cropped to Keras's output size: `crop` rows
    (columns) at the top (left), then the next `size` ones. `output_padding` extends the full
    result (receiving only the bias) where Keras's output is longer than it (kernel < stride)."""

    def __init__(self, *args, crop=(0, 0), size=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.crop = tuple(crop)
        self.size = tuple(size)

    def forward(self, x):
        y = super().forward(x)
        (top, left), (height, width) = self.crop, self.size
        if (top, left) == (0, 0) and tuple(y.shape[-2:]) == (height, width):
            return y
        return y[..., top:top + height, left:left + width]

    def extra_repr(self):
        return super().extra_repr() + f", crop={self.crop}, size={self.size}"


class SameMaxPool2d(nn.MaxPool2d):
    """nn.MaxPool2d after padding with -inf: TensorFlow's 'same' pooling ignores the padding."""

    def __init__(self, *args, pads=(0, 0, 0, 0), **kwargs):
        super().__init__(*args, padding=0, **kwargs)
        self.pads = tuple(pads)

    def forward(self, x):
        return super().forward(F.pad(x, self.pads, value=float("-inf")) if any(self.pads) else x)

    def extra_repr(self):
        return super().extra_repr() + f", tf_same_pads={self.pads}"


class Sampling(nn.Module):
    """A variational autoencoder's sampling layer: from the means then the log-variances,
    z = μ + σ·ε in training, the means at inference (as the Swift layer)."""

    def forward(self, x):
        mean, log_variance = x.chunk(2, dim=1)
        if self.training:
            return mean + torch.exp(0.5 * log_variance) * torch.randn_like(mean)
        return mean


class Reshape(nn.Module):
    """Any [n, ...] to [n, *target_shape] (a Reshape of an image; a vector's is nn.Unflatten)."""

    def __init__(self, target_shape):
        super().__init__()
        self.target_shape = tuple(target_shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.target_shape)

    def extra_repr(self):
        return f"target_shape={self.target_shape}"


class Autoencoder(nn.Module):
    """The model of a description: `encoder` and `decoder` nn.Sequentials named as the file's tensors."""

    def __init__(self, description):
        super().__init__()
        self.description = description
        self.input_shape = tuple(description["input_shape"])
        shape = self.input_shape
        halves = {}
        for part in ("encoder", "decoder"):
            modules = []
            for index, layer in enumerate(description[part]):
                try:
                    built, shape = layer_modules(layer, shape)
                except (KeyError, TypeError, ValueError) as error:
                    raise ValueError(f"layer {index} of the {part} ({layer.get('kind')}): {error}") from error
                modules += built
            halves[part] = nn.Sequential(*modules)
            if part == "encoder":
                self.code_shape = shape
        self.encoder, self.decoder = halves["encoder"], halves["decoder"]
        self.output_shape = shape
        if int(np.prod(shape)) != int(np.prod(self.input_shape)):
            raise ValueError(f"the decoder gives {list(shape)} for an input of {list(self.input_shape)}")

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def samples(self, rows):
        """[n, features] (or [n, ...]) rows as a batch of input_shape."""
        return rows.reshape(rows.shape[0], *self.input_shape)


def image(shape, kind):
    if len(shape) != 3:
        raise ValueError(f"{kind} needs an image [channels, height, width], not {list(shape)}")
    return shape


def layer_modules(layer, shape):
    """The modules of one description layer and its output shape, from its input shape."""
    kind = layer["kind"]
    activation = [activation_module(layer.get("activation") or "linear")]
    if kind == "Dense":
        if len(shape) != 1:
            raise ValueError(f"Dense needs a vector, not {list(shape)} (put a Flatten before it)")
        units = layer["units"]
        return [nn.Linear(shape[0], units)] + activation, (units,)
    if kind == "Conv2D":
        channels, height, width = image(shape, kind)
        (kh, kw), (sh, sw) = pair(layer["kernel_size"]), pair(layer.get("strides", 1))
        padding = layer.get("padding", "valid")
        rows, top, bottom = slide(height, kh, sh, padding)
        columns, left, right = slide(width, kw, sw, padding)
        module = SameConv2d(channels, layer["filters"], (kh, kw), stride=(sh, sw), pads=(left, right, top, bottom))
        return [module] + activation, (layer["filters"], rows, columns)
    if kind == "Conv2DTranspose":
        channels, height, width = image(shape, kind)
        (kh, kw), (sh, sw) = pair(layer["kernel_size"]), pair(layer.get("strides", 1))
        padding = layer.get("padding", "valid")
        rows, top = transposed_slide(height, kh, sh, padding)
        columns, left = transposed_slide(width, kw, sw, padding)
        full_rows, full_columns = (height - 1) * sh + kh, (width - 1) * sw + kw
        # Only a result shorter than Keras's output needs output_padding (< stride: kernel < stride).
        extra = (max(rows + top - full_rows, 0), max(columns + left - full_columns, 0))
        module = CroppedConvTranspose2d(channels, layer["filters"], (kh, kw), stride=(sh, sw),
                                        output_padding=extra, crop=(top, left), size=(rows, columns))
        return [module] + activation, (layer["filters"], rows, columns)
    if kind == "MaxPooling2D":
        channels, height, width = image(shape, kind)
        pool = pair(layer.get("pool_size", 2))
        strides = pair(layer["strides"]) if layer.get("strides") is not None else pool
        padding = layer.get("padding", "valid")
        rows, top, bottom = slide(height, pool[0], strides[0], padding)
        columns, left, right = slide(width, pool[1], strides[1], padding)
        return [SameMaxPool2d(pool, stride=strides, pads=(left, right, top, bottom))], (channels, rows, columns)
    if kind == "UpSampling2D":
        channels, height, width = image(shape, kind)
        size = pair(layer.get("size", 2))
        module = nn.Upsample(scale_factor=(float(size[0]), float(size[1])), mode="nearest")
        return [module], (channels, height * size[0], width * size[1])
    if kind == "Flatten":
        return [nn.Flatten()], (int(np.prod(shape)),)
    if kind == "Reshape":
        target = tuple(layer["target_shape"])
        if int(np.prod(target)) != int(np.prod(shape)):
            raise ValueError(f"cannot reshape {list(shape)} to {list(target)}")
        return [nn.Unflatten(1, target) if len(shape) == 1 else Reshape(target)], target
    if kind == "Activation":
        return activation, shape
    if kind == "ActivityRegularization":
        return [nn.Identity()], shape   # a training-time penalty only
    if kind == "Sampling":
        if len(shape) != 1 or shape[0] % 2:
            raise ValueError(f"Sampling needs a vector of an even width, not {list(shape)}")
        return [Sampling()], (shape[0] // 2,)
    raise ValueError(f"unknown layer kind '{kind}'")


def build_module(description):
    """The `Autoencoder` of a description (a dict, as the file's `description` JSON), with
    PyTorch's default initial weights."""
    return Autoencoder(description)


# MARK: Files

class NotADescribedModel(Exception):
    pass


def read_file(path):
    """The description (a dict) and the tensors of a format-version-3 model file."""
    try:
        return read_safetensors(path)
    except NotADescribedModel:
        raise
    except Exception as error:   # safetensors' errors are not one class: a missing file, a bad header, …
        raise NotADescribedModel(f"cannot read {path} as a safetensors file: {error}") from error


def read_safetensors(path):
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        if metadata.get("format") != "swift-autoencoder":
            raise NotADescribedModel(f"{path} is not a swift-autoencoder model file (its metadata has no format 'swift-autoencoder').")
        version = metadata.get("format_version")
        if version != DESCRIPTION_FORMAT_VERSION or "description" not in metadata:
            raise NotADescribedModel(
                f"{path} has format version {version} without a model description; this script reads version "
                f"{DESCRIPTION_FORMAT_VERSION} (for a dense model of versions 1 and 2 use torch_load.py).")
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    return json.loads(metadata["description"]), tensors


def from_file(path):
    """The module of a model file, its tensors loaded with strict=True, in eval mode."""
    description, tensors = read_file(path)
    model = build_module(description)
    model.load_state_dict(tensors, strict=True)
    return model.eval()


def run(model, rows, part):
    """Reconstructions (part 'reconstruct') or codes ('encode') of [n, ...] rows, as [n, width] float32."""
    x = torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))
    with torch.no_grad():
        x = model.samples(x)
        y = model.encoder(x) if part == "encode" else model(x)
    return y.reshape(y.shape[0], -1).numpy().astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("reconstruct", "encode"):
        p = sub.add_parser(command)
        p.add_argument("model"), p.add_argument("input"), p.add_argument("output")
    sub.add_parser("show").add_argument("model")
    args = parser.parse_args()
    try:
        model = from_file(args.model)
    except NotADescribedModel as error:
        print(f"torch_model.py: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"torch_model.py: {args.model}: the description cannot be built: {error}", file=sys.stderr)
        return 1
    if args.command == "show":
        print(model)
        return 0
    rows = np.load(args.input)
    expected = int(np.prod(model.input_shape))
    if rows.ndim < 1 or rows.size != rows.shape[0] * expected:
        print(f"torch_model.py: {args.input} has shape {rows.shape}, not [n, {expected}] "
              f"(samples of {list(model.input_shape)}).", file=sys.stderr)
        return 1
    result = run(model, rows.reshape(rows.shape[0], expected), args.command)
    np.save(args.output, result)
    print(f"wrote {list(result.shape)} float32 to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
