#!/usr/bin/env bash
# Creates Benchmarks/peers/.venv with PyTorch (CPU) and numpy for the peer benchmarks.
#
# PyPI's Linux x86_64 torch is the CUDA build: `pip install torch` pulls ~3 GB of
# nvidia-* wheels plus triton (~5.4 GB venv). PyPI has no CPU-only torch (it rejects
# "+cpu" local versions), but when pip's find-links (/opt/wheels on these machines)
# offers a torch-*+cpu wheel we install that one (~190 MB wheel, no CUDA deps).
# Set PEERS_TORCH=pypi to force the PyPI (CUDA) build, or PEERS_TORCH=<spec> for any spec.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
start=$SECONDS

spec="${PEERS_TORCH:-}"
if [[ -z "$spec" ]]; then
  # Newest CPU-only wheel for this Python in the configured find-links folders, if any.
  links="${PIP_FIND_LINKS:-$(python3 -m pip config get global.find-links 2>/dev/null || true)}"
  tag="$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
  cpu_whl="$(for d in $links; do ls -1 "$d"/torch-*+cpu-"$tag"-*.whl; done 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -n "$cpu_whl" ]]; then spec="$cpu_whl"; else spec="torch"; fi
elif [[ "$spec" == pypi ]]; then
  spec="torch"
fi

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
echo "installing: $spec numpy threadpoolctl"
"$venv/bin/pip" install --quiet "$spec" numpy threadpoolctl

"$venv/bin/python" - <<'PY'
import numpy, threadpoolctl, torch
print(f"torch {torch.__version__} (cuda: {torch.version.cuda}), numpy {numpy.__version__}, "
      f"threadpoolctl {threadpoolctl.__version__}")
PY
echo "venv size: $(du -sh "$venv" | cut -f1), took $((SECONDS - start)) s"
