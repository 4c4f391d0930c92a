#!/usr/bin/env bash
# Creates .venv (git-ignored) with numpy and safetensors: the Python side of the
# interoperability tests, which check that Python reads our files and we read Python's.
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
