#!/usr/bin/env bash
# Build aurora (scripts/setup.sh) and run its tests.
#
#   scripts/test.sh [ctest args...]    e.g. scripts/test.sh -L unit, scripts/test.sh -R quorum
#
# Environment: AURORA_BUILD_DIR (default: build), AURORA_JOBS (default: 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
ctest --test-dir "${AURORA_BUILD_DIR:-build}" --output-on-failure -j"${AURORA_JOBS:-2}" "$@"
