"""The machine a benchmark ran on, as guard.py and peers/compare.py record it.

One reading of /proc/cpuinfo for both scripts, so that a baseline's file name and the table
a comparison prints name the CPU the same way.
"""
import os, platform, re


def cpu_info():
    """The first processor's /proc/cpuinfo fields ({} where there is no such file)."""
    info = {}
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return info


def usable_cores():
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def describe():
    """The CPU model, family and model number, its vector ISA ("avx512", "avx2" or "baseline",
    what the kernels dispatch to), the usable cores, and a file-name slug of model, ISA and cores."""
    info = cpu_info()
    flags = set(info.get("flags", "").split())
    isa = "avx512" if "avx512f" in flags else "avx2" if {"avx2", "fma"} <= flags else "baseline"
    cores = usable_cores()
    model = info.get("model name", platform.machine() or "?")
    slug = re.sub(r"[^a-z0-9]+", "-", f"{model} {isa} {cores}cores".lower()).strip("-")
    return {"model": model, "family": info.get("cpu family", "?"), "modelNumber": info.get("model", "?"),
            "isa": isa, "cores": cores, "slug": slug}


# How the tables name each ISA.
ISA_NAMES = {"avx512": "AVX-512F", "avx2": "AVX2+FMA", "baseline": "no AVX2+FMA"}
