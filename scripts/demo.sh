#!/usr/bin/env bash
# Build aurora (scripts/setup.sh) and run the demonstration: the AZ+1 scenario (a whole
# availability zone plus one more storage node lost), traced to Graphviz DOT and SVG.
# The output goes to <build dir>/demo/, so the source tree stays clean.
#
# Environment: AURORA_BUILD_DIR (default: build), AURORA_JOBS (default: 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

build_dir="${AURORA_BUILD_DIR:-build}"
out_dir="$build_dir/demo"
dot_file="$out_dir/az-plus-one.dot"
svg_file="$out_dir/az-plus-one.svg"
scenario="harness/scenarios/az-plus-one.scn"
mkdir -p "$out_dir"

if [[ -x "$build_dir/harness/aurora-harness" ]]; then
  "$build_dir/harness/aurora-harness" run "$scenario" --dot "$dot_file" --svg "$svg_file"
elif [[ -x "$build_dir/harness/aurora-demo" ]]; then
  "$build_dir/harness/aurora-demo" --dot "$dot_file" --svg "$svg_file"
else
  echo "demo: no demonstration program built yet" \
       "(expected $build_dir/harness/aurora-harness or $build_dir/harness/aurora-demo)" >&2
  exit 1
fi

# Render the SVG ourselves if the program wrote only the DOT file.
if [[ -f "$dot_file" && ! -f "$svg_file" ]] && command -v dot >/dev/null 2>&1; then
  dot -Tsvg "$dot_file" -o "$svg_file"
fi

echo
echo "demo: trace written to:"
for file in "$dot_file" "$svg_file"; do
  if [[ -f "$file" ]]; then
    echo "  $file"
  else
    echo "  $file (not written)"
  fi
done
