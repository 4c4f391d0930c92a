#!/usr/bin/env python3
"""Regression guard: runs autoencoder-benchmark on every preset and compares it to a stored baseline.

  swift build -c release --product autoencoder-benchmark
  python3 Benchmarks/guard.py                       # compare with Benchmarks/baseline-<cpu>.json
  python3 Benchmarks/guard.py --save --label "quiet host"   # measure and store a new baseline

Each preset runs in its own `autoencoder-benchmark --presets P --epochs E --json` process, so
that its peak resident memory is its own. For each preset the run is compared with the
baseline as ratios: seconds per epoch, encoding and scoring the 10,000 test images (within
--time-tolerance, generous by default: the shared host drifts by 25 %), heap allocations per
training step (exactly the baseline's, which is 0), peak resident memory (within
--rss-tolerance, +15 %). A ratio beyond its tolerance, or a preset missing from the run, makes
it exit with 1; faster or smaller is never a failure. `--run FILE` compares a saved run (the
JSON lines of `autoencoder-benchmark --json`, or a file this script saved) instead of measuring.
The baseline is per CPU: its file name holds the CPU model, vector ISA and core count.
"""
import argparse, datetime, json, os, statistics, subprocess, sys
from pathlib import Path

import machine

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ["autoencoder", "encoder2d", "conv", "vae", "tuned"]
# metric: (kind of check, what it is)
METRICS = {
    "secondsPerEpoch": ("time", "s/epoch"),
    "encodeMilliseconds": ("time", "encode 10k (ms)"),
    "scoreMilliseconds": ("time", "score 10k (ms)"),
    "mallocsPerStep": ("exact", "mallocs/step"),
    "peakResidentMegabytes": ("rss", "peak RSS (MB)"),
}


def cpu():
    """The CPU's model name, vector ISA and usable cores, and a file-name slug of them."""
    return {key: value for key, value in machine.describe().items() if key in ("model", "isa", "cores", "slug")}


def measure(args):
    """Rows of one benchmark process per preset (each row a dict of the benchmark's JSON)."""
    rows = []
    for preset in args.presets:
        cmd = [str(args.benchmark), "--presets", preset, "--epochs", str(args.epochs), "--json"]
        print(f"running {' '.join(cmd)}", file=sys.stderr)
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        rows += [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return rows


def load_rows(path):
    """A run's rows: a file this script saved ({"rows": [...]}) or JSON lines."""
    text = Path(path).read_text()
    try:
        document = json.loads(text)
        if isinstance(document, dict) and "rows" in document:
            return document["rows"]
    except json.JSONDecodeError:
        pass
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def by_preset(rows):
    """Each preset's median of every metric over its rows (repetitions)."""
    grouped = {}
    for row in rows:
        grouped.setdefault(row["preset"], []).append(row)
    return {preset: {metric: statistics.median(r[metric] for r in group if metric in r)
                     for metric in METRICS if any(metric in r for r in group)}
            for preset, group in grouped.items()}


def compare(baseline, run, args):
    """Prints one table of ratios and returns the list of failures."""
    failures = []
    print("| preset | metric | baseline | this run | ratio | limit | |")
    print("|---|---|---|---|---|---|---|")
    for preset, expected in baseline.items():
        got = run.get(preset)
        if got is None:
            failures.append(f"{preset}: not in this run")
            print(f"| {preset} | – | – | missing | – | – | FAIL |")
            continue
        for metric, (kind, name) in METRICS.items():
            if metric not in expected or metric not in got:
                continue
            old, new = expected[metric], got[metric]
            if kind == "exact":
                ok, ratio, limit = new == old, "–", f"= {old:g}"
            else:
                tolerance = args.time_tolerance if kind == "time" else args.rss_tolerance
                ratio_value = new / old if old > 0 else (1.0 if new == 0 else float("inf"))
                ok, ratio, limit = ratio_value <= 1 + tolerance, f"{ratio_value:.2f}", f"≤ {1 + tolerance:.2f}"
            if not ok:
                failures.append(f"{preset} {name}: {new:g} against the baseline's {old:g}")
            print(f"| {preset} | {name} | {old:.4g} | {new:.4g} | {ratio} | {limit} | {'ok' if ok else 'FAIL'} |")
    return failures


def main():
    this_machine = cpu()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", type=Path, default=ROOT / ".build" / "release" / "autoencoder-benchmark",
                    help="the autoencoder-benchmark binary (default: .build/release/autoencoder-benchmark)")
    ap.add_argument("--baseline", type=Path, default=ROOT / "Benchmarks" / f"baseline-{this_machine['slug']}.json",
                    help="the baseline file (default: Benchmarks/baseline-<cpu>.json for this CPU)")
    ap.add_argument("--presets", default=",".join(PRESETS), help="presets to run, comma-separated (default: all five)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs per preset (the median of epochs 2..N counts)")
    ap.add_argument("--run", type=Path, help="compare this saved run instead of measuring one")
    ap.add_argument("--save", action="store_true", help="store this run as the baseline instead of comparing")
    ap.add_argument("--label", default="", help="with --save: how the host was, e.g. 'quiet host' or 'loaded host'")
    ap.add_argument("--output", type=Path, help="also write this run (rows, machine) here")
    ap.add_argument("--time-tolerance", type=float, default=0.5, help="allowed slowdown of the timings (0.5: +50 %%)")
    ap.add_argument("--rss-tolerance", type=float, default=0.15, help="allowed growth of the peak RSS (0.15: +15 %%)")
    args = ap.parse_args()
    args.presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    if not args.presets or any(p not in PRESETS for p in args.presets):
        ap.error(f"--presets must list presets of {', '.join(PRESETS)}")
    if args.epochs < 2 or args.time_tolerance < 0 or args.rss_tolerance < 0:
        ap.error("--epochs must be at least 2 and the tolerances at least 0")
    if not args.run and not os.access(args.benchmark, os.X_OK):
        ap.error(f"{args.benchmark} is not an executable: swift build -c release --product autoencoder-benchmark")
    if not args.save and not args.baseline.exists():
        ap.error(f"no baseline {args.baseline}: store one with --save (and --label)")

    rows = load_rows(args.run) if args.run else measure(args)
    record = {"cpu": {k: this_machine[k] for k in ("model", "isa", "cores")}, "label": args.label,
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "command": f"Benchmarks/guard.py --epochs {args.epochs} --presets {','.join(args.presets)}",
              "load": os.getloadavg()[0], "rows": rows}
    if args.output:
        args.output.write_text(json.dumps(record, indent=1) + "\n")
    if args.save:
        args.baseline.write_text(json.dumps(record, indent=1) + "\n")
        print(f"stored {len(rows)} rows as {args.baseline} ({args.label or 'no label'})")
        return
    stored = json.loads(args.baseline.read_text())
    print(f"baseline: {args.baseline.name} ({stored.get('label') or 'no label'}, {stored.get('date', '?')}, "
          f"{stored['cpu']['model']}, {stored['cpu']['isa']}, {stored['cpu']['cores']} cores)")
    baseline = {p: v for p, v in by_preset(stored["rows"]).items() if p in args.presets}
    failures = compare(baseline, by_preset(rows), args)
    if failures:
        print("\nregressions:\n" + "\n".join(f"- {f}" for f in failures))
        sys.exit(1)
    print("\nno regression beyond the tolerances")


if __name__ == "__main__":
    main()
