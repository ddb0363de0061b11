#!/usr/bin/env python3
"""Refresh the az-plus-one transcript in docs/harness.md from a real run.

    scripts/refresh-harness-doc.py [BUILD_DIR]     (default: build)

The transcript is the block that starts with `$ aurora-harness run harness/scenarios/az-plus-one.scn`
and ends at the closing fence; it is replaced by what the built aurora-harness prints now.
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
build = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "build"
command = "aurora-harness run harness/scenarios/az-plus-one.scn"
run = subprocess.run([str(build / "harness" / "aurora-harness"), "run",
                      "harness/scenarios/az-plus-one.scn"],
                     cwd=root, capture_output=True, text=True, check=False)
if run.returncode not in (0, 1):
    sys.exit(f"refresh-harness-doc: the run failed ({run.returncode}): {run.stderr}")
doc = root / "docs" / "harness.md"
lines = doc.read_text().split("\n")
start = lines.index("$ " + command)
end = lines.index("```", start)
lines[start + 1:end] = run.stdout.rstrip("\n").split("\n")
doc.write_text("\n".join(lines))
print(f"refresh-harness-doc: {doc.relative_to(root)} lines {start + 2}..{start + 1 + len(run.stdout.splitlines())}")
