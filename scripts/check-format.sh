#!/usr/bin/env bash
# Check that every C++ source of the project passes its .clang-format (no file is changed).
#
#   scripts/check-format.sh          list the files that differ, exit 1 if any
#   scripts/check-format.sh --fix    reformat them in place
#
# Environment: CLANG_FORMAT (default: clang-format).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check-format: $clang_format not found (Debian package clang-format)" >&2
  exit 2
fi
mapfile -t files < <(find include src harness property-tests tests tutorials bench \
                       -type f \( -name '*.hpp' -o -name '*.ipp' -o -name '*.cpp' -o -name '*.h' \) | LC_ALL=C sort)
if [[ "${1:-}" == "--fix" ]]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
bad=()
for file in "${files[@]}"; do
  "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: all ${#files[@]} files pass .clang-format"
