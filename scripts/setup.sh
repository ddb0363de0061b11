#!/usr/bin/env bash
# Set up and build aurora: install any missing Debian packages, configure, build.
# Idempotent and quiet when there is nothing to do.
#
#   scripts/setup.sh [extra cmake configure args...]    e.g. scripts/setup.sh -DAURORA_SANITIZE=ON
#
# Environment: AURORA_BUILD_DIR (default: build, relative to the repository root),
#              AURORA_JOBS (default: 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${AURORA_BUILD_DIR:-build}"
jobs="${AURORA_JOBS:-2}"

# --- Debian packages -------------------------------------------------------------------------
packages=(cmake ninja-build g++ libgtest-dev libgmock-dev libbenchmark-dev librange-v3-dev
          librapidcheck-dev libcli11-dev nlohmann-json3-dev graphviz gnuplot-nox clang-format)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "setup: dpkg not found; not a Debian system, so install these yourself: ${packages[*]}"
else
  missing=()
  for package in "${packages[@]}"; do
    if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
      missing+=("$package")
    fi
  done

  if ((${#missing[@]} == 0)); then
    echo "setup: all ${#packages[@]} packages present"
  else
    echo "setup: installing ${missing[*]}"
    as_root=()
    if ((EUID != 0)); then
      if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
      else
        echo "setup: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
        exit 1
      fi
    fi
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# --- Configure and build ---------------------------------------------------------------------
# Generator and build type are chosen only on the first configure, so that a build directory
# configured otherwise (a preset, ccmake) keeps its choices. Configuring again is cheap.
configure_args=()
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  configure_args+=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
fi
cmake -S . -B "$build_dir" "${configure_args[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$jobs"
