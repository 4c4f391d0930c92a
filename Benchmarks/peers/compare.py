#!/usr/bin/env python3
"""Times our `autoencoder` binary against PyTorch (eager and torch.compile) and numpy on the same models.

  .venv/bin/python compare.py --reps 3 --epochs 10 [--ours PATH/autoencoder] [--presets conv,vae]
  .venv/bin/python compare.py --quick --ours PATH/autoencoder      # smoke run: 2 epochs, 1 rep

The presets: the tutorial's autoencoder and encoder2d (ours, PyTorch eager, torch.compile,
numpy by hand, PyTorch matmuls only), the Keras blog's conv, pytorch/examples' vae and our
tuned recipe (ours, PyTorch eager, torch.compile; see peer_train.py); with --presets also the
rest of the family (conv-denoising, vae2d, sparse, deep, tuned2d). For each preset it
alternates the runs (ours, torch, compile, numpy, floor, ours, ...) `--reps` times, takes each
run's median seconds over epochs 2..N, then the median over the reps, and prints one Markdown
table: s/epoch, ratio to PyTorch eager, GFLOP/s of the layers' multiply-adds and % of the
machine's FMA peak, measured before the runs by fma_peak.c (or given with --peak).
Every run has the same batch, epochs and threads (--threads, passed to ours as `--threads N`
and to the peers as torch.set_num_threads / OpenBLAS's threads). Every run starts in the
repository root (ours finds ./data/mnist there). Peers run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset; ours runs with the environment as it is.
Other processes steal the 2 cores easily, so before each run it waits (up to --idle-wait s)
for the machine to be idle, reruns (up to --retries times) a run during which others used
more than --max-busy cores, and reports the CPU others used during each row's runs.
"""
import argparse, json, os, platform, resource, shlex, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from machine import ISA_NAMES, describe as describe_machine  # noqa: E402 (Benchmarks/machine.py)
PRESETS = ["autoencoder", "encoder2d", "conv", "vae", "tuned"]
# The rest of the family, run when --presets names them.
MORE_PRESETS = ["conv-denoising", "vae2d", "sparse", "deep", "tuned2d"]
ALL_PRESETS = PRESETS + MORE_PRESETS
# The peers that exist only for the tutorial's dense presets.
DENSE_ONLY = {"numpy", "floor"}
DENSE_PRESETS = {"autoencoder", "encoder2d"}
ROWS = {"ours": "ours", "torch": "PyTorch eager", "compile": "torch.compile", "torch2": "PyTorch eager (--torch2)",
        "numpy": "numpy (by hand)", "floor": "PyTorch matmuls only (floor)"}
# Batch size of each preset (ours and the peers use the same): 60000 // batch steps an epoch.
BATCH = {"autoencoder": 256, "encoder2d": 256, "conv": 128, "vae": 128, "tuned": 128,
         "conv-denoising": 128, "vae2d": 128, "sparse": 256, "deep": 256, "tuned2d": 128}


def dense(*widths):
    return [a * b for a, b in zip(widths, widths[1:])]


def conv(out_h, out_w, filters, channels, k=3):
    return out_h * out_w * filters * channels * k * k


# Multiply-adds of one sample's forward pass, layer by layer (the shapes peer_train.py and
# Sources/Autoencoder/Preset.swift describe); pooling, up-sampling, sampling and activations
# are not counted. The vae's decoder starts from the 20 means, its encoder ends in 40 values.
MULTIPLY_ADDS = {
    "autoencoder": dense(784, 256, 128, 256, 784),
    "encoder2d": dense(784, 128, 64, 10, 2, 10, 64, 128, 784),
    "conv": [conv(28, 28, 16, 1), conv(14, 14, 8, 16), conv(7, 7, 8, 8),  # encoder, each + max-pool
             conv(4, 4, 8, 8), conv(8, 8, 8, 8), conv(14, 14, 16, 8), conv(28, 28, 1, 16)],  # decoder
    "vae": dense(784, 400, 40) + dense(20, 400, 784),
    "tuned": dense(784, 256, 128, 256, 784),
    "vae2d": dense(784, 400, 4) + dense(2, 400, 784),
    "sparse": dense(784, 32, 784),
    "deep": dense(784, 128, 64, 32, 64, 128, 784),
    "tuned2d": dense(784, 512, 256, 128, 2, 128, 256, 512, 784),
}
MULTIPLY_ADDS["conv-denoising"] = MULTIPLY_ADDS["conv"]


def flop_per_sample(preset):
    """A training step's flops per sample: 2 per multiply-add, for the forward pass, the weight
    gradients and the input gradients of every layer but the first (autoencoder-benchmark's count)."""
    products = MULTIPLY_ADDS[preset]
    return 2 * (3 * sum(products) - products[0])


def cpu_seconds():
    """CPU seconds the whole machine has been busy (all but idle and iowait) since boot."""
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def busy_cores(seconds):
    """How many cores' worth of CPU the machine used over the next `seconds`."""
    c0, t0 = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds() - c0) / (time.monotonic() - t0)


def wait_for_idle(limit, max_busy):
    """Waits up to `limit` seconds for the machine to use at most `max_busy` cores (0: no wait)."""
    if limit <= 0:
        return
    start = time.monotonic()
    while (busy := busy_cores(1.0)) > max_busy:
        if time.monotonic() - start > limit:
            print(f"  (still {busy:.2f} cores busy after {limit} s; running anyway)", file=sys.stderr)
            return
        time.sleep(4)


class RunFailed(Exception):
    """A run that exited with an error; the runs before it are still saved."""


def run(kind, preset, args):
    """One run; returns its metrics plus `otherCores`: CPU others used per second of it."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if kind == "ours":
            cmd = [args.ours, "train", "--preset", preset, "--epochs", str(args.epochs),
                   "--threads", str(args.threads), "--output", tmp, *shlex.split(args.ours_args)]
            out = Path(tmp) / "metrics.json"
        else:
            for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
                env.pop(var, None)
            out = Path(tmp) / "peer.json"
            python = args.torch2 if kind == "torch2" else sys.executable
            cmd = [python, str(HERE / "peer_train.py"), "--preset", preset,
                   "--epochs", str(args.epochs), "--threads", str(args.threads), "--json", str(out),
                   "--framework", "torch" if kind in ("floor", "torch2", "compile") else kind]
            cmd += ["--matmul-only"] if kind == "floor" else ["--compile"] if kind == "compile" else []
        wait_for_idle(args.idle_wait, args.max_busy)
        ru0, c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_seconds(), time.monotonic()
        try:
            done = subprocess.run(cmd, env=env, cwd=HERE.parents[1], capture_output=True, text=True)
        except OSError as error:  # the program vanished or cannot run
            raise RunFailed(f"{shlex.join(cmd)} could not start: {error}")
        ru1, c1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_seconds(), time.monotonic()
        if done.returncode:
            raise RunFailed(f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        metrics = json.loads(out.read_text())
        metrics["invocation"] = shlex.join(cmd).replace(tmp, "<tmp>")
    own = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    metrics["otherCores"] = max(0.0, (c1 - c0 - own) / (t1 - t0))
    return metrics


def per_epoch(metrics):
    """The run's median seconds per epoch, leaving out the first (warm-up) epoch."""
    s = metrics["secondsPerEpoch"]
    return statistics.median(s[1:] if len(s) > 1 else s)


def machine():
    """The CPU model, its vector ISA, the cores this process may use, the OS and Python."""
    cpu = describe_machine()
    return {"model": cpu["model"], "family": cpu["family"], "modelNumber": cpu["modelNumber"],
            "isa": ISA_NAMES[cpu["isa"]], "cores": cpu["cores"], "os": f"Linux {platform.release()}",
            "python": platform.python_version()}


def measure_peak(threads):
    """The FMA peak of `threads` threads, measured by fma_peak.c (built here with cc), or None."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not compiler:
        print("  (no C compiler: cannot measure the FMA peak; give --peak)", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "fma_peak"
        built = subprocess.run([compiler, "-O2", "-pthread", str(HERE / "fma_peak.c"), "-o", str(binary)],
                               capture_output=True, text=True)
        if built.returncode:
            print(f"  (fma_peak.c did not build: {built.stderr.strip()}; give --peak)", file=sys.stderr)
            return None
        done = subprocess.run([str(binary), str(threads), "9"], capture_output=True, text=True)
        if done.returncode:
            print(f"  (fma_peak failed: {done.stderr.strip()}; give --peak)", file=sys.stderr)
            return None
        return json.loads(done.stdout)


def runs_for(kind, preset):
    """Whether `kind` has a run of `preset` (numpy and the floor only do the dense presets)."""
    return kind not in DENSE_ONLY or preset in DENSE_PRESETS


def print_report(meta, kinds, runs, presets):
    """The machine, the versions, the table (plus the best epochs, less hurt by noise) and
    whether ours is within 0.7x and 0.5x of PyTorch eager on every preset."""
    first = lambda kind: next(runs[kind, p][0] for p in presets if runs.get((kind, p)))
    torch_m = first("torch")
    m = meta["machine"]
    peak = meta.get("peak")
    print(f"CPU: {m['model']} (family {m['family']}, model {m['modelNumber']}), {m['isa']}, {m['cores']} cores; "
          f"{m['os']}, Python {m['python']}")
    if peak:
        print(f"FMA peak: {peak['gflops']:.1f} GFLOP/s on {peak['threads']} threads ({peak['source']})")
    else:
        print("FMA peak: not measured (no % of peak column)")
    print(f"Every run: {meta['threads']} threads, {meta['epochs']} epochs, the preset's batch "
          f"({', '.join(f'{p} {BATCH[p]}' for p in presets)}), {meta['reps']} alternating reps")
    versions = (f"PyTorch {torch_m['version']} ({torch_m['blas'][0]['internal_api']} BLAS, CPU capability "
                f"{torch_m.get('cpuCapability')}, {torch_m['threads']} threads)")
    if "numpy" in kinds:
        numpy_m = first("numpy")
        blas = (numpy_m["blas"] or [{}])[0]
        versions += f"; numpy {numpy_m['version']}" + (
            f" with {blas.get('internal_api')} {blas.get('version')} ({blas.get('architecture')} kernel, "
            f"{blas.get('num_threads')} threads)" if blas.get("internal_api") else "")
    print(versions)
    if "torch2" in kinds:
        print(f"--torch2: PyTorch {first('torch2')['version']} ({first('torch2')['blas'][0]['internal_api']} BLAS, "
              f"CPU capability {first('torch2').get('cpuCapability')})")
    if "ours" in kinds:
        print(f"ours: `{first('ours').get('invocation', '?')}`, backend: {first('ours').get('backend', '?')}")
    for line in meta.get("skipped", []):
        print(line)
    runs = {key: ms for key, ms in runs.items() if ms}
    reps = max(len(ms) for ms in runs.values())
    median = {key: statistics.median(per_epoch(m) for m in ms) for key, ms in runs.items()}
    best = {key: min(min(m["secondsPerEpoch"][1:] or m["secondsPerEpoch"]) for m in ms) for key, ms in runs.items()}
    mse = lambda key: (None if runs[key][0].get("testMSE") is None
                       else statistics.median(m["testMSE"] for m in runs[key]))

    def gflops(preset, seconds):
        return flop_per_sample(preset) * BATCH[preset] * (60000 // BATCH[preset]) / seconds / 1e9

    epochs = meta["epochs"]
    print(f"\nMedian over {reps} alternating reps of each run's median s/epoch over epochs 2..{epochs}; "
          "ratio = row / PyTorch eager (lower is faster); GFLOP/s of the layers' multiply-adds "
          "(ours skips the input's zeros in the first dense layer: a dense-equivalent rate).\n")
    head = ["preset", "framework", "s/epoch", "ratio", "GFLOP/s"] + (["% of peak"] if peak else []) + [
        "fastest epoch", "test MSE", "others' CPU (max cores)"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for p in presets:
        for kind in kinds:
            if (kind, p) not in runs:
                continue
            sec = median[kind, p]
            rate = gflops(p, sec) if kind != "floor" else None
            cells = [p, ROWS[kind], f"{sec:.3f}",
                     f"{sec / median['torch', p]:.2f}" if ("torch", p) in runs else "–",
                     f"{rate:.1f}" if rate else "–"]
            if peak:
                cells.append(f"{100 * rate / peak['gflops']:.1f}" if rate else "–")
            cells += [f"{best[kind, p]:.3f}", f"{v:.4f}" if (v := mse((kind, p))) is not None else "–",
                      f"{max(m['otherCores'] for m in runs[kind, p]):.2f}"]
            print("| " + " | ".join(cells) + " |")
    if "ours" in kinds:
        ratios = {p: median["ours", p] / median["torch", p] for p in presets
                  if ("ours", p) in runs and ("torch", p) in runs}
        if ratios:
            worst = max(ratios, key=ratios.get)
            for limit, name in [(0.7, "must"), (0.5, "goal")]:
                verdict = "yes" if all(r <= limit for r in ratios.values()) else "no"
                print(f"\nours ≤ {limit}x PyTorch eager's s/epoch on every preset ({name}): {verdict} "
                      f"(worst: {worst} {ratios[worst]:.2f})", end="")
            print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 2 epochs, 1 rep, no idle wait or reruns (overrides those options)")
    ap.add_argument("--threads", type=int, default=2, help="threads of every run, ours and the peers (default 2)")
    ap.add_argument("--ours", help="our `autoencoder` binary (optional)")
    ap.add_argument("--ours-args", default="", help="extra arguments for our binary")
    ap.add_argument("--presets", default=",".join(PRESETS),
                    help=f"presets to run, comma-separated (default: {','.join(PRESETS)}; "
                         f"also {','.join(MORE_PRESETS)})")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile row")
    ap.add_argument("--torch2", help="a second Python whose torch runs as one more row (another PyTorch version)")
    ap.add_argument("--no-numpy", action="store_true", help="skip the numpy-by-hand runs")
    ap.add_argument("--no-floor", action="store_true", help="skip the matmul-only floor runs")
    ap.add_argument("--peak", type=float,
                    help="the FMA peak in GFLOP/s of --threads threads (default: measured by fma_peak.c)")
    ap.add_argument("--idle-wait", type=float, default=120, help="seconds to wait for an idle machine")
    ap.add_argument("--max-busy", type=float, default=0.25, help="cores in use that count as idle")
    ap.add_argument("--retries", type=int, default=2, help="reruns of a run that others disturbed")
    ap.add_argument("--json", type=Path, help="write every run's metrics here")
    ap.add_argument("--from-json", type=Path, help="print the report of a saved --json instead of running")
    args = ap.parse_args()
    if args.quick:
        args.epochs, args.reps, args.idle_wait, args.retries = 2, 1, 0, 0
    # Checked before any run, each in one sentence (argparse's own errors exit with 2 too).
    if args.reps < 1 or args.epochs < 2 or args.threads < 1 or args.retries < 0:
        ap.error("--reps and --threads must be at least 1, --epochs at least 2 (the first is warm-up), --retries at least 0")
    if args.peak is not None and not args.peak > 0:
        ap.error(f"--peak must be a positive number of GFLOP/s, not {args.peak}")
    presets = [p.strip().lower() for p in args.presets.split(",") if p.strip()]
    if not presets or any(p not in ALL_PRESETS for p in presets):
        ap.error(f"--presets must list presets of {', '.join(ALL_PRESETS)}, not '{args.presets}'")
    if args.ours:  # as the shell finds it (a path, or a name on PATH), made absolute: runs start elsewhere
        found = shutil.which(args.ours)
        if not found:
            ap.error(f"--ours {args.ours} is not an executable file (build it: swift build -c release)")
        args.ours = str(Path(found).resolve())
    if args.torch2 and not shutil.which(args.torch2):
        ap.error(f"--torch2 {args.torch2} is not an executable Python")

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        meta = saved.pop("meta", None) or {"machine": machine(), "threads": args.threads, "epochs": "?", "reps": "?"}
        runs = {tuple(key.split()): ms for key, ms in saved.items() if ms}
        presets = [p for p in ALL_PRESETS if ("torch", p) in runs]
        kinds = [k for k in ROWS if any((k, p) in runs for p in presets)]
        return print_report(meta, kinds, runs, presets)

    kinds = ((["ours"] if args.ours else []) + ["torch"] + ([] if args.no_compile else ["compile"])
             + (["torch2"] if args.torch2 else []) + ([] if args.no_numpy else ["numpy"])
             + ([] if args.no_floor else ["floor"]))
    kinds = [k for k in kinds if any(runs_for(k, p) for p in presets)]  # no numpy row for conv and vae alone
    runs = {(k, p): [] for k in kinds for p in presets if runs_for(k, p)}
    meta = {"machine": machine(), "threads": args.threads, "epochs": args.epochs, "reps": args.reps, "skipped": []}
    if args.peak:
        meta["peak"] = {"gflops": args.peak, "threads": args.threads, "source": "given with --peak"}
    else:
        wait_for_idle(args.idle_wait, args.max_busy)
        probe = measure_peak(args.threads)
        if probe:
            meta["peak"] = {"gflops": probe["gflops"], "threads": probe["threads"],
                            "source": f"measured: fma_peak.c, {probe['isa']} FMAs over each thread's CPU time, "
                                      f"best of {probe['reps']}; wall clock {probe.get('wallGflops', '?')}"}
    print(f"CPU: {meta['machine']['model']}, {meta['machine']['isa']}, {meta['machine']['cores']} cores; FMA peak "
          + (f"{meta['peak']['gflops']:.1f} GFLOP/s ({meta['peak']['source']})" if "peak" in meta else "unknown"),
          file=sys.stderr)

    def save():
        if args.json:  # every run's metrics so far, by "kind preset", and the machine
            saved = {f"{k} {p}": v for (k, p), v in runs.items()}
            args.json.write_text(json.dumps({"meta": meta, **saved}, indent=1) + "\n")

    try:
        for preset in presets:
            for rep in range(args.reps):
                for kind in [k for k in kinds if runs_for(k, preset)]:
                    try:
                        tries = [run(kind, preset, args)]
                    except RunFailed as failure:
                        if kind != "compile":
                            raise
                        # torch.compile needs a working inductor (a C++ compiler, a supported CPU):
                        # without it the comparison goes on without that row.
                        reason = next((line for line in reversed(str(failure).splitlines()) if line.strip()), "?")
                        meta["skipped"].append(f"torch.compile: skipped, its run failed ({reason.strip()[:200]})")
                        print(meta["skipped"][-1], file=sys.stderr)
                        kinds.remove("compile")
                        for key in [key for key in runs if key[0] == "compile"]:
                            del runs[key]
                        continue
                    while tries[-1]["otherCores"] > args.max_busy and len(tries) <= args.retries:
                        print(f"  ({kind}: others used {tries[-1]['otherCores']:.2f} cores; again)", file=sys.stderr)
                        tries.append(run(kind, preset, args))
                    m = min(tries, key=lambda t: t["otherCores"])  # the least disturbed try
                    runs[kind, preset].append(m)
                    save()
                    print(f"{preset} rep {rep + 1} {kind}: {per_epoch(m):.3f} s/epoch, "
                          f"test MSE {m.get('testMSE')}" + (f", test loss {m['testLoss']}" if "testLoss" in m else "")
                          + f", others used {m['otherCores']:.2f} cores", file=sys.stderr)
    except (RunFailed, KeyboardInterrupt) as stop:
        save()
        sys.exit(f"{stop or 'interrupted'}" + (f"\n(the runs so far are in {args.json})" if args.json else ""))

    print_report(meta, kinds, runs, presets)
    save()


if __name__ == "__main__":
    main()
