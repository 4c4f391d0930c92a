#!/usr/bin/env python3
"""Times our `autoencoder` binary against PyTorch (eager) and numpy on the same models.

  .venv/bin/python compare.py --reps 3 --epochs 10 [--ours PATH/autoencoder] [--presets conv,vae]

The presets: the tutorial's autoencoder and encoder2d (ours, PyTorch, numpy by hand, PyTorch
matmuls only), and the Keras blog's conv and pytorch/examples' vae (ours and PyTorch only; see
peer_train.py). For each preset it alternates the runs (ours, torch, numpy, torch matmuls only, ours, ...)
`--reps` times, takes each run's median seconds over epochs 2..N, then the median over the
reps, and prints one Markdown table with each row's ratio to PyTorch eager. Every run starts
in the repository root (ours finds ./data/mnist there). Peers run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset; ours runs with the environment as it is.
Other processes steal the 2 cores easily, so before each run it waits (up to --idle-wait s)
for the machine to be idle, reruns (up to --retries times) a run during which others used
more than --max-busy cores, and reports the CPU others used during each row's runs.
"""
import argparse, json, os, platform, resource, shlex, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRESETS = ["autoencoder", "encoder2d", "conv", "vae"]
# The peers that exist only for the tutorial's dense presets.
DENSE_ONLY = {"numpy", "floor"}
DENSE_PRESETS = {"autoencoder", "encoder2d"}
ROWS = {"ours": "ours", "torch": "PyTorch eager", "torch2": "PyTorch eager (--torch2)", "numpy": "numpy (by hand)",
        "floor": "PyTorch matmuls only (floor)"}


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
                   "--output", tmp, *shlex.split(args.ours_args)]
            out = Path(tmp) / "metrics.json"
        else:
            for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
                env.pop(var, None)
            out = Path(tmp) / "peer.json"
            python = args.torch2 if kind == "torch2" else sys.executable
            cmd = [python, str(HERE / "peer_train.py"), "--preset", preset,
                   "--epochs", str(args.epochs), "--threads", str(args.threads), "--json", str(out),
                   "--framework", "torch" if kind in ("floor", "torch2") else kind]
            cmd += ["--matmul-only"] if kind == "floor" else []
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
    info = {}
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())  # the first processor's
    get = lambda k: info.get(k, "?")
    return (f"{get('model name')} (family {get('cpu family')}, model {get('model')}), "
            f"{os.cpu_count()} cores; Linux {platform.release()}, Python {platform.python_version()}")


def runs_for(kind, preset):
    """Whether `kind` has a run of `preset` (numpy and the floor only do the dense presets)."""
    return kind not in DENSE_ONLY or preset in DENSE_PRESETS


def print_report(args, kinds, runs, presets):
    """The machine, the versions, and the table (plus the best epochs, less hurt by noise)."""
    first = lambda kind: next(runs[kind, p][0] for p in presets if runs.get((kind, p)))
    torch_m = first("torch")
    print(f"Machine: {machine()}")
    versions = (f"PyTorch {torch_m['version']} ({torch_m['blas'][0]['internal_api']} BLAS, CPU capability "
                f"{torch_m.get('cpuCapability')}, {torch_m['threads']} threads)")
    if "numpy" in kinds:
        numpy_m = first("numpy")
        blas = (numpy_m["blas"] or [{}])[0]
        versions += (f"; numpy {numpy_m['version']} with {blas.get('internal_api')} {blas.get('version')} "
                     f"({blas.get('architecture')} kernel, {blas.get('num_threads')} threads)")
    print(versions)
    if "torch2" in kinds:
        print(f"--torch2: PyTorch {first('torch2')['version']} ({first('torch2')['blas'][0]['internal_api']} BLAS, "
              f"CPU capability {first('torch2').get('cpuCapability')})")
    if "ours" in kinds:
        print(f"ours: `{first('ours').get('invocation', '?')}`, backend: {first('ours').get('backend', '?')}")
    reps = len(runs["torch", presets[0]])
    epochs = len(torch_m["secondsPerEpoch"])
    runs = {key: ms for key, ms in runs.items() if ms}
    median = {key: statistics.median(per_epoch(m) for m in ms) for key, ms in runs.items()}
    best = {key: min(min(m["secondsPerEpoch"][1:] or m["secondsPerEpoch"]) for m in ms) for key, ms in runs.items()}
    mse = lambda key: (None if key not in runs or runs[key][0]["testMSE"] is None
                       else statistics.median(m["testMSE"] for m in runs[key]))
    for title, sec, extra in [
            (f"Median over {reps} alternating reps of each run's median s/epoch over epochs 2..{epochs}", median, True),
            (f"Fastest single epoch (2..{epochs}) over all reps", best, False)]:
        print(f"\n{title}; ratio = row / PyTorch eager (lower is faster).\n")
        head = ["framework"] + [f"{p} s/epoch" for p in presets] + [f"{p} ratio" for p in presets]
        head += [f"{p} test MSE" for p in presets] + ["others' CPU (max cores)"] if extra else []
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for kind in kinds:
            cells = [ROWS[kind]] + [f"{sec[kind, p]:.3f}" if (kind, p) in runs else "–" for p in presets]
            cells += [f"{sec[kind, p] / sec['torch', p]:.2f}" if (kind, p) in runs else "–" for p in presets]
            if extra:
                cells += [f"{v:.4f}" if (v := mse((kind, p))) is not None else "–" for p in presets]
                cells += [f"{max(m['otherCores'] for p in presets for m in runs.get((kind, p), [])):.2f}"]
            print("| " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="threads of the peers")
    ap.add_argument("--ours", help="our `autoencoder` binary (optional)")
    ap.add_argument("--ours-args", default="", help="extra arguments for our binary")
    ap.add_argument("--presets", default=",".join(PRESETS),
                    help=f"presets to run, comma-separated (default: all of {','.join(PRESETS)})")
    ap.add_argument("--torch2", help="a second Python whose torch runs as one more row (another PyTorch version)")
    ap.add_argument("--no-floor", action="store_true", help="skip the matmul-only floor runs")
    ap.add_argument("--idle-wait", type=float, default=120, help="seconds to wait for an idle machine")
    ap.add_argument("--max-busy", type=float, default=0.25, help="cores in use that count as idle")
    ap.add_argument("--retries", type=int, default=2, help="reruns of a run that others disturbed")
    ap.add_argument("--json", type=Path, help="write every run's metrics here")
    ap.add_argument("--from-json", type=Path, help="print the report of a saved --json instead of running")
    args = ap.parse_args()
    # Checked before any run, each in one sentence (argparse's own errors exit with 2 too).
    if args.reps < 1 or args.epochs < 2 or args.threads < 1 or args.retries < 0:
        ap.error("--reps and --threads must be at least 1, --epochs at least 2 (the first is warm-up), --retries at least 0")
    presets = [p.strip().lower() for p in args.presets.split(",") if p.strip()]
    if not presets or any(p not in PRESETS for p in presets):
        ap.error(f"--presets must list presets of {', '.join(PRESETS)}, not '{args.presets}'")
    if args.ours:  # as the shell finds it (a path, or a name on PATH), made absolute: runs start elsewhere
        found = shutil.which(args.ours)
        if not found:
            ap.error(f"--ours {args.ours} is not an executable file (build it: swift build -c release)")
        args.ours = str(Path(found).resolve())
    if args.torch2 and not shutil.which(args.torch2):
        ap.error(f"--torch2 {args.torch2} is not an executable Python")
    kinds = (["ours"] if args.ours else []) + ["torch"] + (["torch2"] if args.torch2 else []) + ["numpy"] + ([] if args.no_floor else ["floor"])

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        runs = {tuple(key.split()): ms for key, ms in saved.items() if ms}
        presets = [p for p in PRESETS if ("torch", p) in runs]
        kinds = [k for k in ROWS if any((k, p) in runs for p in presets)]
        return print_report(args, kinds, runs, presets)
    kinds = [k for k in kinds if any(runs_for(k, p) for p in presets)]  # no numpy row for conv and vae alone
    runs = {(k, p): [] for k in kinds for p in presets if runs_for(k, p)}

    def save():
        if args.json:  # every run's metrics so far, by "kind preset"
            args.json.write_text(json.dumps({f"{k} {p}": v for (k, p), v in runs.items()}, indent=1) + "\n")

    try:
        for preset in presets:
            for rep in range(args.reps):
                for kind in [k for k in kinds if runs_for(k, preset)]:
                    tries = [run(kind, preset, args)]
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

    print_report(args, kinds, runs, presets)
    save()


if __name__ == "__main__":
    main()
