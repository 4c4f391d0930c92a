#!/usr/bin/env python3
"""Loads a swift-autoencoder model file into the matching PyTorch module (needs torch and
safetensors) and checks that its encoder reproduces codes written by `autoencoder encode`.

    python torch_load.py MODEL.safetensors [INPUT_IMAGES CODES.npy]
"""
import json
import sys

import numpy as np
import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import load_file

ACTIVATION_MODULES = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh, "linear": nn.Identity}


class Autoencoder(nn.Module):
    """encoder/decoder nn.Sequentials: Linear i of each half is module 2i, its activation 2i+1."""

    def __init__(self, encoder_widths, activation="sigmoid", code_activation="sigmoid", output_activation=None):
        super().__init__()
        widths = list(encoder_widths)
        depth = len(widths) - 1
        encoder, decoder = [], []
        for i in range(depth):
            encoder += [nn.Linear(widths[i], widths[i + 1]),
                        ACTIVATION_MODULES[code_activation if i == depth - 1 else activation]()]
        back = widths[::-1]
        for i in range(depth):   # the output layer may have its own activation ("outputActivation")
            last = output_activation or activation
            decoder += [nn.Linear(back[i], back[i + 1]), ACTIVATION_MODULES[last if i == depth - 1 else activation]()]
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def from_file(path):
    with safe_open(path, framework="pt") as f:
        architecture = json.loads(f.metadata()["architecture"])
    model = Autoencoder(architecture["encoderWidths"], architecture["activation"], architecture["codeActivation"],
                        architecture.get("outputActivation"))
    model.load_state_dict(load_file(path))
    return model.eval()


if __name__ == "__main__":
    model = from_file(sys.argv[1])
    print(model)
    if len(sys.argv) == 4:
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        from autoencoder_interop import read_images
        x = torch.from_numpy(read_images(sys.argv[2]).astype(np.float32))
        with torch.no_grad():
            codes = model.encoder(x).numpy()
        ours = np.load(sys.argv[3])
        diff = float(np.max(np.abs(codes.astype(np.float64) - ours)))
        print(f"torch encoder vs autoencoder encode: max abs difference {diff:.3g} over {ours.size} values")
        sys.exit(0 if diff <= 1e-5 else 1)
