#!/usr/bin/env bash
# Creates .venv (git-ignored) with numpy and safetensors: the Python side of the
# interoperability tests, which check that Python reads our files and we read Python's;
# then adds PyTorch (CPU), which the PyTorch interoperability test (TorchInteropTests,
# scripts/interop/torch_model.py) needs. Fast when everything is already there.
#
# PyTorch: the newest torch-*+cpu wheel for this Python in pip's find-links folders
# (/opt/wheels on the build machines) when there is one, else PyTorch's CPU-only index
# (PyPI's Linux torch is the CUDA build, ~5 GB with its nvidia-* wheels). Set
# AUTOENCODER_TORCH to another pip spec (`torch`, a wheel's path) to choose, or to `none`
# to leave torch out. When torch cannot be installed the venv keeps numpy and safetensors
# and the script says so (the torch test then fails with the same advice).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python3 -c "import numpy, safetensors" 2>/dev/null; then
    if ! python3 -m venv .venv; then
        rm -rf .venv
        echo "setup-python.sh: 'python3 -m venv' failed; install python3 and python3-venv (apt-get install python3-venv)." >&2
        exit 1
    fi
    if ! .venv/bin/pip install --quiet --disable-pip-version-check numpy safetensors; then
        # A venv without the packages would make the tests' hint ("run setup-python.sh") wrong.
        rm -rf .venv
        echo "setup-python.sh: pip could not install numpy and safetensors (is PyPI reachable?)." >&2
        exit 1
    fi
fi

spec="${AUTOENCODER_TORCH:-}"
# find_spec, not import: importing torch takes seconds.
if [[ "$spec" == none ]] || .venv/bin/python3 -c \
        "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)" 2>/dev/null; then
    exit 0
fi
pip_arguments=(--quiet --disable-pip-version-check)
if [[ -z "$spec" ]]; then
    links="${PIP_FIND_LINKS:-$(.venv/bin/pip config get global.find-links 2>/dev/null || true)}"
    tag="$(.venv/bin/python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
    spec="$(for d in $links; do ls -1 "$d"/torch-*+cpu-"$tag"-*.whl; done 2>/dev/null | sort -V | tail -1 || true)"
    if [[ -z "$spec" ]]; then
        spec="torch"
        pip_arguments+=(--index-url https://download.pytorch.org/whl/cpu)
    fi
fi
echo "setup-python.sh: installing PyTorch ($spec) into .venv"
if ! .venv/bin/pip install "${pip_arguments[@]}" "$spec" || ! .venv/bin/python3 -c "import torch" 2>/dev/null; then
    echo "setup-python.sh: note: PyTorch could not be installed ($spec); .venv has numpy and safetensors," \
         "but the PyTorch interoperability test will fail until torch installs (set AUTOENCODER_TORCH to a pip spec" \
         "or a wheel's path, or put a torch-*+cpu wheel in pip's find-links, and run this script again)." >&2
fi
