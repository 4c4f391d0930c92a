#!/usr/bin/env bash
# Builds one libFuzzer target and runs it for a set time.
#
#   Fuzz/run.sh TARGET SECONDS [more libFuzzer arguments]
#
# TARGET is safetensors, npy or idx. The reader's sources are compiled directly with
# swiftc (not SwiftPM) together with Fuzz/harnesses/TARGET.swift, instrumented for
# libFuzzer and AddressSanitizer. Working files go under Fuzz/.work/ (git-ignored):
#   bin/TARGET             the fuzzer
#   build-TARGET.log       the compiler's output
#   corpus/TARGET/         inputs the fuzzer found interesting (seeds stay in Fuzz/corpus/)
#   artifacts/TARGET/      crash-*, leak-*, timeout-* reproducers
#   run-TARGET.log         the fuzzer's output
# To replay a reproducer: Fuzz/.work/bin/TARGET Fuzz/.work/artifacts/TARGET/crash-...
set -euo pipefail

usage() { echo "usage: $0 safetensors|npy|idx SECONDS [libFuzzer arguments]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
target=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || usage

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
work="$fuzz_dir/.work"

case "$target" in
    safetensors|npy)
        sources=("$root"/Sources/AutoencoderSerialization/*.swift)
        flags=()
        ;;
    idx)
        sources=("$root"/Sources/AutoencoderData/*.swift)
        flags=(-I "$root/Sources/CZlib" -lz)
        ;;
    *) usage ;;
esac

mkdir -p "$work/bin" "$work/corpus/$target" "$work/artifacts/$target"
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
