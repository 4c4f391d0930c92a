#!/usr/bin/env bash
# Builds the library's DocC documentation as one combined archive (the umbrella module
# `Autoencoder` with its catalog, each module it re-exports, and the low-level
# AutoencoderKernels) and fails on any warning from the build or from docc; then lists the
# public symbols with no doc comment and fails when any module has one.
#
#   scripts/check-docs.sh            # the archive: .build/plugins/Swift-DocC/outputs/swift-autoencoder.doccarchive
#
# Why combined: `@_exported import` does not put the re-exported modules' symbols into the
# umbrella's symbol graph (swift-symbolgraph-extract leaves them out unless told with a flag
# SwiftPM does not pass), so each module is documented on its own page and the archives are
# merged, with links between them (swift-docc-plugin's combined documentation).
# The plain `swift package generate-documentation` (every target, the executables and the
# dependencies' too, one archive each) is built first and must be warning-free as well.
set -euo pipefail
cd "$(dirname "$0")/.."

# Modules named in DOCS_PENDING (space-separated) have their undocumented symbols listed, not fatal.
pending="${DOCS_PENDING-}"
modules="AutoencoderKernels AutoencoderErrors AutoencoderNumerics AutoencoderNetwork AutoencoderData AutoencoderPictures AutoencoderSerialization Autoencoder"

targets=()
for module in $modules; do targets+=(--target "$module"); done
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Runs `swift package generate-documentation` with the given arguments; fails on any warning.
build_documentation() {
    local status=0
    swift package generate-documentation "$@" 2>&1 | tee "$log" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "check-docs: the documentation build failed (exit status $status)." >&2
        exit 1
    fi
    local warnings
    warnings="$(grep -E '(^|[^a-z])(warning|error):' "$log" || true)"
    if [ -n "$warnings" ]; then
        echo "check-docs: $(printf '%s\n' "$warnings" | wc -l) warning(s) in the documentation build:" >&2
        printf '%s\n' "$warnings" >&2
        exit 1
    fi
}
build_documentation
build_documentation --enable-experimental-combined-documentation "${targets[@]}"

# Undocumented public symbols, from the symbol graphs the plugin extracted.
graphs=".build"
python3 - "$graphs" "$pending" $modules <<'PY'
import glob, json, os, sys

graphs, pending, modules = sys.argv[1], set(sys.argv[2].split()), sys.argv[3:]
fatal = 0
for module in modules:
    # The module's own graph and those of its extensions to other modules' types.
    files = glob.glob(os.path.join(graphs, "*", "extracted-symbols", "*", module, "*.symbols.json"))
    if not files:
        print(f"check-docs: no symbol graph of {module} under {graphs}: the plugin wrote them elsewhere.", file=sys.stderr)
        sys.exit(1)
    missing = set()
    for path in files:
        for symbol in json.load(open(path))["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            # Members the compiler writes (`!=`, Codable's) and extension blocks have no comment of their own.
            if "::SYNTHESIZED::" in symbol["identifier"]["precise"] or symbol["kind"]["identifier"] == "swift.extension":
                continue
            # A comment of the symbol's own: one inherited from a protocol's requirement does not count.
            location = symbol.get("location", {})
            comment = symbol.get("docComment")
            if comment and comment.get("uri") == location.get("uri") \
                    and any(line["text"].strip() for line in comment.get("lines", [])):
                continue
            where = location.get("uri", "").split("/Sources/", 1)[-1]
            line = location.get("position", {}).get("line", 0) + 1
            missing.add((where, line, ".".join(symbol["pathComponents"])))
    if not missing:
        print(f"{module}: every public symbol is documented.")
        continue
    word = "pending" if module in pending else "undocumented"
    print(f"{module}: {len(missing)} public symbol(s) without a doc comment ({word}):")
    for where, line, name in sorted(missing):
        print(f"  Sources/{where}:{line}  {name}")
    if module not in pending:
        fatal += len(missing)
if fatal:
    print(f"check-docs: {fatal} undocumented public symbol(s).", file=sys.stderr)
    sys.exit(1)
PY
echo "check-docs: the documentation builds without warnings."
