#!/usr/bin/env bash
# Builds one libFuzzer target and runs it for a set time.
#
#   Fuzz/run.sh TARGET SECONDS [more libFuzzer arguments]
#
# TARGET is one of safetensors, npy, idx, png, model, checkpoint, codes, images,
# description, csv, numpy, imagefiles. The reader's sources are compiled directly with swiftc (not SwiftPM) together
# with Fuzz/harnesses/TARGET.swift, instrumented for libFuzzer and AddressSanitizer. Every
# module's sources are its folder's .swift files, subfolders included. The targets model,
# checkpoint, codes, images and description compile Sources/Autoencoder/**/*.swift with the
# harness; the modules it imports are built first, each on its own, the same way (the C
# kernels with clang), and rebuilt only when their sources change; idx links the C
# kernels and AutoencoderSerialization built there too. Working files go under Fuzz/.work/ (git-ignored):
#   bin/TARGET             the fuzzer
#   build-TARGET.log       the compiler's output
#   modules/               the Autoencoder module's dependencies, built for fuzzing
#   corpus/TARGET/         inputs the fuzzer found interesting (seeds stay in Fuzz/corpus/)
#   artifacts/TARGET/      crash-*, leak-*, timeout-* reproducers
#   run-TARGET.log         the fuzzer's output
# To replay a reproducer: Fuzz/.work/bin/TARGET Fuzz/.work/artifacts/TARGET/crash-...
# Run one target at a time: they share Fuzz/.work/modules/.
set -euo pipefail

usage() { echo "usage: $0 safetensors|npy|idx|png|model|checkpoint|codes|images|description|csv|numpy|imagefiles SECONDS [libFuzzer arguments]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
target=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || usage

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
work="$fuzz_dir/.work"

# The .swift files of the module folder Sources/$1, subfolders included, in a fixed order.
module_sources() {
    find "$root/Sources/$1" -name '*.swift' | LC_ALL=C sort
}

case "$target" in
    safetensors|npy)
        mapfile -t sources < <(module_sources AutoencoderSerialization)
        flags=(-package-name swift_autoencoder)   # the module has package-level API
        ;;
    idx|csv|numpy|imagefiles)
        mapfile -t sources < <(module_sources AutoencoderData)
        with_kernels=1   # AutoencoderData also imports the C kernels (batch conversion) and
                         # AutoencoderSerialization (atomic writes)
        ;;
    png)
        mapfile -t sources < <(module_sources AutoencoderPictures)
        flags=(-I "$root/Sources/CPNG" -lpng16)
        ;;
    model|checkpoint|description)
        mapfile -t sources < <(module_sources Autoencoder)
        sources+=("$fuzz_dir/harnesses/shared/DescriptionChecks.swift")
        with_dependencies=1
        ;;
    codes|images)
        mapfile -t sources < <(module_sources Autoencoder)
        sources+=("$fuzz_dir/harnesses/shared/ArrayFileRefusal.swift")
        with_dependencies=1
        ;;
    *) usage ;;
esac

# Builds the modules Sources/Autoencoder imports into $work/modules (each Swift module as
# one object file and its .swiftmodule, the C kernels as object files with clang), unless
# their sources and this script are unchanged since the last build.
build_dependencies() {
    local modules="$work/modules" kernels="$root/Sources/CAutoencoderKernels"
    local swift_modules=(AutoencoderNumerics AutoencoderNetwork AutoencoderSerialization AutoencoderData AutoencoderPictures)
    local stamp file module log="$work/build-modules.log"
    stamp=$( (cat "${BASH_SOURCE[0]}"; find "$kernels" "${swift_modules[@]/#/$root/Sources/}" -type f | sort | xargs cat) | sha256sum)
    [[ -f "$modules/stamp" && "$(cat "$modules/stamp")" == "$stamp" ]] && return
    echo "building the Autoencoder module's dependencies ..." >&2
    rm -rf "$modules"
    mkdir -p "$modules/CAutoencoderKernels"
    printf 'module CAutoencoderKernels {\n    umbrella header "%s/include/CAutoencoderKernels.h"\n    export *\n}\n' \
        "$kernels" >"$modules/CAutoencoderKernels/module.modulemap"
    : >"$log"
    for file in "$kernels"/*.c; do
        if ! clang -c -O2 -fsanitize=fuzzer-no-link,address -I "$kernels/include" -I "$kernels" \
                "$file" -o "$modules/kernel-$(basename "$file" .c).o" >>"$log" 2>&1; then
            cat "$log" >&2; echo "build of $file failed (log: $log)" >&2; exit 1
        fi
    done
    for module in "${swift_modules[@]}"; do
        if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -module-name "$module" \
                -package-name swift_autoencoder "${dependency_flags[@]}" \
                -emit-module -emit-module-path "$modules/$module.swiftmodule" -emit-object -o "$modules/$module.o" \
                $(module_sources "$module") >>"$log" 2>&1; then
            grep -v "Cannot export local symbol" "$log" >&2; echo "build of $module failed (log: $log)" >&2; exit 1
        fi
    done
    echo "$stamp" >"$modules/stamp"
}

mkdir -p "$work/bin" "$work/corpus/$target" "$work/artifacts/$target"
dependency_flags=(-I "$work/modules" -I "$work/modules/CAutoencoderKernels"
                  -I "$root/Sources/CZlib" -I "$root/Sources/CPNG" -I "$root/Sources/CJPEG")
if [[ -n ${with_dependencies:-} ]]; then
    build_dependencies
    flags=("${dependency_flags[@]}" -package-name swift_autoencoder "$work/modules"/*.o -lz -lpng16 -ljpeg)
elif [[ -n ${with_kernels:-} ]]; then
    build_dependencies
    flags=(-I "$work/modules" -I "$work/modules/CAutoencoderKernels" -I "$root/Sources/CZlib" -I "$root/Sources/CPNG"
           -I "$root/Sources/CJPEG" -package-name swift_autoencoder
           "$work/modules"/kernel-*.o "$work/modules/AutoencoderSerialization.o" -lz -lpng16 -ljpeg)
fi
echo "building $target ..." >&2
if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "Fuzz_$target" \
        "${flags[@]}" "${sources[@]}" "$fuzz_dir/harnesses/$target.swift" \
        -o "$work/bin/$target" >"$work/build-$target.log" 2>&1; then
    grep -v "Cannot export local symbol" "$work/build-$target.log" >&2
    echo "build of $target failed (log: $work/build-$target.log)" >&2
    exit 1
fi

# Swift's own crash reporter would hang in the sanitizer's death callback.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

echo "fuzzing $target for $seconds s (log: $work/run-$target.log)" >&2
set +e
# From $work, so that the fuzz-N.log files of -jobs=N land there too.
cd "$work"
"$work/bin/$target" \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=4096 \
    -max_len=16384 \
    -print_final_stats=1 \
    -dict="$fuzz_dir/dictionaries/$target.dict" \
    -artifact_prefix="$work/artifacts/$target/" \
    "$@" \
    "$work/corpus/$target" "$fuzz_dir/corpus/$target" 2>&1 | tee "$work/run-$target.log" | grep --line-buffered -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|Test unit written|stat::" >&2
status=${PIPESTATUS[0]}
set -e
exit "$status"
