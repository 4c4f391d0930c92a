#!/usr/bin/env bash
# Trains both presets with seeds 0, 1 and 2 on the bundled MNIST (the tutorial's settings)
# and prints the test MSE of each run as a Markdown table.
# Usage: scripts/quality.sh [path/to/autoencoder]   (default: builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-}
if [ -z "$binary" ]; then
    swift build -c release --product autoencoder >/dev/null
    binary=.build/release/autoencoder
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| preset | seed 0 | seed 1 | seed 2 |"
echo "|---|---|---|---|"
for preset in autoencoder encoder2d; do
    row="| $preset |"
    for seed in 0 1 2; do
        "$binary" train --preset "$preset" --seed "$seed" --output "$out/$preset-$seed" >/dev/null
        mse=$(python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['testMSE'])" "$out/$preset-$seed/metrics.json")
        row="$row $mse |"
    done
    echo "$row"
done
