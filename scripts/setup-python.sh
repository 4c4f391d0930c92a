#!/usr/bin/env bash
# Creates .venv (git-ignored) with numpy and safetensors: the Python side of the
# interoperability tests, which check that Python reads our files and we read Python's.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python3 -c "import numpy, safetensors" 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check numpy safetensors
fi
