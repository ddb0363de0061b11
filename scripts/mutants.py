#!/usr/bin/env python3
"""The mutation catalogue (scripts/mutants.txt) and the verdicts of scripts/mutate.sh.

A mutant is one single-point change to the model: a file, a fragment of its text that must occur
exactly once, and the text that replaces it. Fragments are matched with whitespace normalised (a
run of blanks or newlines in the catalogue matches any run of whitespace in the file), so a
reformatted or re-wrapped line still matches, while a changed line does not: the mutant then fails
loudly instead of silently becoming a no-op.

Subcommands (used by scripts/mutate.sh; standard library only):
  list    CATALOGUE                       id, file and rule of every mutant
  ids     CATALOGUE [ID...]               the ids, one per line (all, or these, checked to exist)
  check   CATALOGUE ROOT [ID...]          every fragment occurs exactly once under ROOT
  file    CATALOGUE ID                    the file a mutant changes
  apply   CATALOGUE ROOT ID               applies one mutant in place; prints file:line
  gtest   JSON LOG EXIT                   the verdict of one gtest run of a positive property
  explore LOG EXIT                        the verdict of one `aurora-harness explore` run

A verdict is one line: `pass`, `killed <why>`, or `coverage <what>\t<what>...` (the run failed
only on coverage assertions: a rare path or a fault kind not reached, which says nothing about
safety).
"""

import json
import re
import sys
from pathlib import Path

KEYS = ("file", "rule", "find", "replace")


class CatalogueError(Exception):
    pass


def parse_catalogue(path):
    """Entries in file order: dicts with id, file, rule, find, replace, line."""
    entries, current, last_key = [], None, None
    for number, raw in enumerate(Path(path).read_text().splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            last_key = None
            continue
        header = re.fullmatch(r"\[([A-Za-z0-9][A-Za-z0-9._-]*)\]", line.strip())
        if header:
            current = {"id": header.group(1), "line": number}
            entries.append(current)
            last_key = None
            continue
        if current is None:
            raise CatalogueError(f"{path}:{number}: text before the first [mutant-id]")
        if raw[:1] in (" ", "\t") and last_key in ("find", "replace"):
            current[last_key] += "\n" + line.strip()  # a folded continuation line
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in KEYS:
            raise CatalogueError(f"{path}:{number}: expected one of {', '.join(KEYS)}: ...")
        if key in current:
            raise CatalogueError(f"{path}:{number}: [{current['id']}] has two '{key}' lines")
        current[key] = value.strip()
        last_key = key
    seen = set()
    for entry in entries:
        where = f"{path}:{entry['line']}: [{entry['id']}]"
        if entry["id"] in seen:
            raise CatalogueError(f"{where} is defined twice")
        seen.add(entry["id"])
        for key in ("file", "rule", "find", "replace"):
            if key not in entry:
                raise CatalogueError(f"{where} has no '{key}:' line")
        if not entry["find"]:
            raise CatalogueError(f"{where} has an empty 'find:'")
        if entry["find"] == entry["replace"]:
            raise CatalogueError(f"{where} replaces its fragment by itself")
    return entries


def select(entries, ids):
    if not ids:
        return entries
    by_id = {entry["id"]: entry for entry in entries}
    unknown = [each for each in ids if each not in by_id]
    if unknown:
        raise CatalogueError("unknown mutant id(s): " + " ".join(unknown))
    return [by_id[each] for each in ids]


def pattern_of(fragment):
    tokens = fragment.split()
    return re.compile(r"\s+".join(re.escape(token) for token in tokens))


def locate(entry, root):
    """(path, text, match) or raises CatalogueError unless the fragment occurs exactly once."""
    path = Path(root) / entry["file"]
    if not path.is_file():
        raise CatalogueError(f"[{entry['id']}] {entry['file']}: no such file")
    text = path.read_text()
    matches = list(pattern_of(entry["find"]).finditer(text))
    if len(matches) != 1:
        raise CatalogueError(
            f"[{entry['id']}] {entry['file']}: the fragment occurs {len(matches)} times "
            f"(must be exactly once): {entry['find']!r}")
    return path, text, matches[0]


def command_list(catalogue):
    entries = parse_catalogue(catalogue)
    width = max((len(entry["id"]) for entry in entries), default=0)
    for entry in entries:
        print(f"{entry['id']:<{width}}  {entry['file']}")
        print(f"{'':<{width}}  {entry['rule']}")
    print(f"{len(entries)} mutant(s)")


def command_ids(catalogue, ids):
    for entry in select(parse_catalogue(catalogue), ids):
        print(entry["id"])


def command_check(catalogue, root, ids):
    errors = []
    entries = select(parse_catalogue(catalogue), ids)
    for entry in entries:
        try:
            locate(entry, root)
        except CatalogueError as error:
            errors.append(str(error))
    for error in errors:
        print(f"mutants: {error}", file=sys.stderr)
    if errors:
        print(f"mutants: {len(errors)} of {len(entries)} mutant(s) do not apply; update "
              f"scripts/mutants.txt to the code as it is now", file=sys.stderr)
        return 1
    return 0


def command_apply(catalogue, root, mutant_id):
    (entry,) = select(parse_catalogue(catalogue), [mutant_id])
    path, text, match = locate(entry, root)
    mutated = text[:match.start()] + entry["replace"] + text[match.end():]
    path.write_text(mutated)
    line = text.count("\n", 0, match.start()) + 1
    print(f"{entry['file']}:{line}")
    return 0


COVERAGE = ("never reached:", "never performed:", "no burst was run", "beyond destroyed a disk",
            "fell from ~")


def first_line(text, limit=220):
    for line in text.splitlines():
        if line.strip():
            line = " ".join(line.split())
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def crash_reason(log_text, code):
    for line in log_text.splitlines():
        if "internal invariant broken" in line:
            following = log_text.split(line, 1)[1]
            return f"internal assertion: {first_line(following) or first_line(line)}"
    if code in (124, 137):
        return "timeout"
    if code > 128:
        return f"crash (signal {code - 128})"
    tail = [line for line in log_text.splitlines() if line.strip()][-1:]
    return f"exit {code}: {first_line(tail[0]) if tail else 'no output'}"


def command_gtest(json_path, log_path, code):
    code = int(code)
    log_text = Path(log_path).read_text(errors="replace") if Path(log_path).exists() else ""
    report = None
    if Path(json_path).exists():
        try:
            report = json.loads(Path(json_path).read_text())
        except ValueError:
            report = None
    if code == 0 and report is not None:
        print("pass")
        return 0
    if report is None:  # no report: the program died (an assertion aborts) or timed out
        print(f"killed {crash_reason(log_text, code)}")
        return 0
    counterexample = re.search(r"^counterexample \(\d+ steps\): (.*)$", log_text, re.M)
    real, coverage = [], []
    for suite in report.get("testsuites", []):
        for test in suite.get("testsuite", []):
            for failure in test.get("failures", []):
                message = failure.get("failure", "")
                (coverage if any(word in message for word in COVERAGE) else real).append(message)
    if counterexample:
        print(f"killed {first_line(counterexample.group(1))}")
    elif real:
        body = "\n".join(real[0].splitlines()[1:]) or real[0]
        print(f"killed {first_line(body)}")
    elif coverage:
        reached = [line.strip() for message in coverage for line in message.splitlines()
                   if any(word in line for word in COVERAGE)]
        print("coverage " + "\t".join(dict.fromkeys(reached)))  # tab-separated, in order
    else:
        print(f"killed {crash_reason(log_text, code)}")
    return 0


def command_explore(log_path, code):
    code = int(code)
    log_text = Path(log_path).read_text(errors="replace") if Path(log_path).exists() else ""
    if code == 0:
        print("pass")
        return 0
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        found = re.match(r"^seed (\d+): FAIL", line)
        if found:
            detail = first_line("\n".join(lines[index + 1:index + 2]))
            print(f"killed seed {found.group(1)}: {detail}")
            return 0
    print(f"killed {crash_reason(log_text, code)}")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[1], argv[2:]
    try:
        if command == "list" and len(args) == 1:
            command_list(*args)
            return 0
        if command == "ids" and len(args) >= 1:
            command_ids(args[0], args[1:])
            return 0
        if command == "check" and len(args) >= 2:
            return command_check(args[0], args[1], args[2:])
        if command == "file" and len(args) == 2:
            print(select(parse_catalogue(args[0]), [args[1]])[0]["file"])
            return 0
        if command == "apply" and len(args) == 3:
            return command_apply(*args)
        if command == "gtest" and len(args) == 3:
            return command_gtest(*args)
        if command == "explore" and len(args) == 2:
            return command_explore(*args)
    except CatalogueError as error:
        print(f"mutants: {error}", file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
