#!/usr/bin/env bash
# Mutation testing of the model: do the property tests and the explorer notice a single bug?
#
#   scripts/mutate.sh [--only ID[,ID...]] [--quick] [--jobs J] [--list] [--check] [more options]
#
# Each mutant of the catalogue (scripts/mutants.txt) is one realistic single-point bug in
# include/aurora/{storage,db,ops}/. For each, in turn, this script applies it to a *private copy*
# of the repository (never the working tree, never build/), rebuilds the two programs it needs in
# a build directory of its own, and runs, stopping at the first that fails:
#   1. the positive fault properties (fault_properties, filter *safe_faults*:*beyond*), each
#      test on its own, with RC_PARAMS="max_success=<cases> seed=<seed> noshrink=1";
#   2. aurora-harness explore --seeds 1..<seeds> with --profile safe and beyond, on the fixed and
#      the varied cluster;
#   3. every example scenario (harness/scenarios/*.scn) with --variant safe: each must pass, as
#      in CI (hand-written states the generator rarely builds: three disks lost at once, ...).
# It prints one line per mutant (`killed by ...`, `SURVIVED`, `did not compile`) and finally
# `killed N of M` with the survivors named. A run that fails only a coverage assertion ("never
# reached: ...") does not kill a mutant: it says nothing about safety. The unmutated model is
# checked first with the same budgets; if it fails, nothing else runs. See
# docs/mutation-testing.md.
#
# Options:
#   --list             print the catalogue and exit
#   --check            check that every mutant applies exactly once, build nothing, exit
#   --only ID[,ID...]  run only these mutants (repeatable)
#   --quick            smaller budgets: --cases 1000 --seeds 300
#   --cases N          rapidcheck cases per property test (default 10000)
#   --seeds N          explore seeds 1..N per profile and cluster (default 2000)
#   --rc-seed N        rapidcheck seed (default 20261124, the seed CI uses)
#   --jobs J, -j J     build and explore parallelism (default: AURORA_JOBS or 2)
#   --rev REV          mutate this commit (git archive) instead of the working tree's files
#   --timeout S        limit for each build and test command, in seconds (default 900)
#   --no-baseline      skip the check of the unmutated model
#   --no-scenarios     skip stage 3: judge by the generated runs alone
#   --keep             keep the work directory (logs, failing seeds and traces) and print it
#   --workdir DIR      the work directory (default: a new mktemp -d under TMPDIR); it must be
#                      empty or not exist
#   --catalogue FILE   the catalogue (default scripts/mutants.txt)
#
# Exit status: 0 every mutant was killed; 1 some survived or did not compile; 2 a usage error, a
# mutant that does not apply, a failed set-up or an unmutated model that fails.
# Needs what scripts/setup.sh installs (cmake, ninja, g++, the test libraries) and python3.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
helper="$script_dir/mutants.py"
catalogue="$script_dir/mutants.txt"

cases=10000
seeds=2000
rc_seed=20261124
jobs="${AURORA_JOBS:-2}"
rev=""
limit=900
baseline=1
scenarios=1
keep=0
workdir=""
mode=run
only=()

die() { echo "mutate: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
number() { [[ "$2" =~ ^[0-9]+$ ]] && (("$2" > 0)) || die "$1 needs a positive number, not '$2'"; }

while (($#)); do
  case "$1" in
    --list) mode=list ;;
    --check) mode=check ;;
    --only) [[ $# -ge 2 ]] || die "--only needs a mutant id"; IFS=, read -ra ids <<<"$2"
            only+=("${ids[@]}"); shift ;;
    --only=*) IFS=, read -ra ids <<<"${1#*=}"; only+=("${ids[@]}") ;;
    --quick) cases=1000; seeds=300 ;;
    --cases) number "$1" "${2:-}"; cases="$2"; shift ;;
    --seeds) number "$1" "${2:-}"; seeds="$2"; shift ;;
    --rc-seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--rc-seed needs a number"; rc_seed="$2"; shift ;;
    --jobs|-j) number "$1" "${2:-}"; jobs="$2"; shift ;;
    --jobs=*) number --jobs "${1#*=}"; jobs="${1#*=}" ;;
    --rev) [[ $# -ge 2 ]] || die "--rev needs a commit"; rev="$2"; shift ;;
    --timeout) number "$1" "${2:-}"; limit="$2"; shift ;;
    --no-baseline) baseline=0 ;;
    --no-scenarios) scenarios=0 ;;
    --keep) keep=1 ;;
    --workdir) [[ $# -ge 2 ]] || die "--workdir needs a directory"; workdir="$2"; shift ;;
    --catalogue) [[ $# -ge 2 ]] || die "--catalogue needs a file"; catalogue="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

command -v python3 >/dev/null || die "python3 is needed (it is on the base image)"
[[ -f "$catalogue" ]] || die "no catalogue at $catalogue"
catalogue="$(cd "$(dirname "$catalogue")" && pwd)/$(basename "$catalogue")"

if [[ $mode == list ]]; then
  python3 "$helper" list "$catalogue"
  exit 0
fi
selected="$(python3 "$helper" ids "$catalogue" "${only[@]}")" || exit 2
[[ -n "$selected" ]] || die "the catalogue has no mutants"
mapfile -t mutants <<<"$selected"
if [[ $mode == run ]]; then
  for tool in cmake ninja timeout; do
    command -v "$tool" >/dev/null || die "$tool is missing: run bash scripts/setup.sh first"
  done
fi

# --- the private copy ---------------------------------------------------------------------------
if [[ -z "$workdir" ]]; then
  workdir="$(mktemp -d "${TMPDIR:-/tmp}/aurora-mutants.XXXXXX")"
else
  [[ ! -e "$workdir" || -z "$(ls -A "$workdir")" ]] || die "--workdir $workdir is not empty"
  mkdir -p "$workdir"
  workdir="$(cd "$workdir" && pwd)"
fi
src="$workdir/src"
build="$workdir/build"
mutated_file=""   # the file of the private copy under mutation, and its original beside it

restore() {
  if [[ -n "$mutated_file" ]]; then
    cp "$workdir/original" "$mutated_file"
    mutated_file=""
  fi
}
cleanup() {
  local status=$?
  restore
  if ((keep)); then
    echo "mutate: work directory kept: $workdir" >&2
  else
    rm -rf "$workdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$src" "$workdir/runs"
if [[ -n "$rev" ]]; then
  git -C "$repo" rev-parse --verify -q "$rev^{commit}" >/dev/null || die "--rev: no commit '$rev'"
  git -C "$repo" archive "$rev" | tar -x -C "$src"
else
  # The working tree as it is: tracked and new files, without ignored ones (build directories).
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' path; do [[ -f "$path" ]] && printf '%s\0' "$path"; done |
     tar --null -T - -c) | tar -x -C "$src"
fi

python3 "$helper" check "$catalogue" "$src" "${mutants[@]}" || exit 2
if [[ $mode == check ]]; then
  echo "mutate: all ${#mutants[@]} mutant(s) apply exactly once"
  exit 0
fi

# --- build and test ----------------------------------------------------------------------------
build_programs() {  # $1: log file
  timeout -k 10 "$limit" cmake --build "$build" --target fault_properties aurora-harness \
    -j "$jobs" >"$1" 2>&1
}

# The positive property tests, one per process (a failure shrinks nothing: noshrink).
property_tests=()
list_property_tests() {
  local suite="" line
  property_tests=()
  while IFS= read -r line; do
    if [[ "$line" =~ ^([A-Za-z0-9_/]+)\.$ ]]; then
      suite="${BASH_REMATCH[1]}"
    elif [[ "$line" =~ ^\ \ ([A-Za-z0-9_/]+) ]]; then
      property_tests+=("$suite.${BASH_REMATCH[1]}")
    fi
  done < <("$build/property-tests/fault_properties" --gtest_list_tests \
             --gtest_filter='*safe_faults*:*beyond*')
  ((${#property_tests[@]})) || die "no property test matches *safe_faults*:*beyond*"
}

verdict=""         # after run_checks: "killed by ..." or "pass"
coverage_items=()  # after run_checks: the coverage assertions that failed ("test: never ...")
run_checks() {  # $1: run directory
  local dir="$1" test status result profile cluster item items
  mkdir -p "$dir"
  coverage_items=()
  for test in "${property_tests[@]}"; do
    status=0
    (cd "$dir" && RC_PARAMS="max_success=$cases seed=$rc_seed noshrink=1" \
       timeout -k 10 "$limit" "$build/property-tests/fault_properties" \
       --gtest_filter="$test" --gtest_output="json:$dir/$test.json" \
       >"$dir/$test.log" 2>&1) || status=$?
    result="$(python3 "$helper" gtest "$dir/$test.json" "$dir/$test.log" "$status")"
    case "$result" in
      killed*) verdict="killed by $test: ${result#killed }"; return ;;
      coverage*) IFS=$'\t' read -ra items <<<"${result#coverage }"
                 for item in "${items[@]}"; do coverage_items+=("${test#*.}: $item"); done ;;
    esac
  done
  for cluster in fixed varied; do
    for profile in safe beyond; do
      status=0
      (cd "$dir" && timeout -k 10 "$limit" "$build/harness/aurora-harness" explore \
         --seeds "1..$seeds" --profile "$profile" --cluster "$cluster" --jobs "$jobs" \
         --out "$dir/explore-$profile-$cluster" >"$dir/explore-$profile-$cluster.log" 2>&1) ||
        status=$?
      result="$(python3 "$helper" explore "$dir/explore-$profile-$cluster.log" "$status")"
      if [[ "$result" == killed* ]]; then
        verdict="killed by explore --profile $profile --cluster $cluster, ${result#killed }"
        return
      fi
    done
  done
  if ((scenarios)); then
    local file name
    for file in "$src"/harness/scenarios/*.scn; do
      name="$(basename "$file" .scn)"
      status=0
      (cd "$dir" && timeout -k 10 "$limit" "$build/harness/aurora-harness" run "$file" \
         --variant safe >"$dir/scenario-$name.log" 2>&1) || status=$?
      if ((status != 0)); then
        result="$(grep -m1 -E '^!! ' "$dir/scenario-$name.log" | sed 's/^!! *//' || true)"
        verdict="killed by scenario $name.scn: ${result:-exit status $status}"
        return
      fi
    done
  fi
  verdict="pass"
}

join() { local out="" item; for item in "$@"; do out+="${out:+; }$item"; done; echo "$out"; }
elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

started=$(date +%s)
echo "mutate: ${#mutants[@]} mutant(s); $cases case(s) per property, seeds 1..$seeds per" \
     "explore, jobs $jobs; source: ${rev:-working tree}; work directory $workdir"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$workdir/configure.log" 2>&1 ||
  { cat "$workdir/configure.log" >&2; die "configuring failed (run bash scripts/setup.sh)"; }

step_start=$(date +%s)
build_programs "$workdir/baseline-build.log" ||
  { tail -30 "$workdir/baseline-build.log" >&2; die "the unmutated model does not build"; }
list_property_tests
declare -A baseline_coverage=()
if ((baseline)); then
  run_checks "$workdir/runs/baseline"
  [[ "$verdict" != killed* ]] ||
    die "the unmutated model fails: ${verdict#killed by }. Fix that first"
  for item in "${coverage_items[@]}"; do baseline_coverage["$item"]=1; done
  echo "baseline: passes ($(elapsed "$step_start"))"
  ((${#coverage_items[@]} == 0)) ||
    echo "baseline: coverage checks that fail already (ignored below): $(join "${coverage_items[@]}")"
fi

killed=0
survivors=()
broken=()
width=0
for id in "${mutants[@]}"; do ((${#id} > width)) && width=${#id}; done
index=0
for id in "${mutants[@]}"; do
  index=$((index + 1))
  step_start=$(date +%s)
  dir="$workdir/runs/$id"
  mkdir -p "$dir"
  # Remember the original first, so that the trap can put it back whatever happens next.
  relative="$(python3 "$helper" file "$catalogue" "$id")"
  cp "$src/$relative" "$workdir/original"
  mutated_file="$src/$relative"
  where="$(python3 "$helper" apply "$catalogue" "$src" "$id")" || die "[$id] does not apply"
  ! cmp -s "$workdir/original" "$mutated_file" || die "[$id] changed nothing"
  diff -u --label "a/$relative" --label "b/$relative" "$workdir/original" "$mutated_file" \
    >"$dir/mutant.diff" || true
  prefix="$(printf '[%2d/%d] %-*s' "$index" "${#mutants[@]}" "$width" "$id")"
  if ! build_programs "$dir/build.log"; then
    error="$(grep -m1 -E 'error|Error' "$dir/build.log" || true)"
    echo "$prefix did not compile ($where): ${error:-see build log} ($(elapsed "$step_start"))"
    broken+=("$id")
    restore
    continue
  fi
  run_checks "$dir"
  restore
  if [[ "$verdict" == killed* ]]; then
    killed=$((killed + 1))
    echo "$prefix $verdict ($(elapsed "$step_start"))"
  else
    survivors+=("$id")
    lost=()  # coverage the mutant lost, beyond what the unmutated model already misses
    for item in "${coverage_items[@]}"; do
      [[ -n "${baseline_coverage[$item]:-}" ]] || lost+=("$item")
    done
    note=""
    ((${#lost[@]} == 0)) || note=" (coverage lost, not a kill: $(join "${lost[@]}"))"
    echo "$prefix SURVIVED$note ($(elapsed "$step_start"))"
  fi
done

echo "killed $killed of ${#mutants[@]} ($(elapsed "$started") in all)"
((${#survivors[@]} == 0)) || echo "survivors: ${survivors[*]}"
((${#broken[@]} == 0)) || echo "did not compile (not killed): ${broken[*]}"
((${#survivors[@]} + ${#broken[@]} == 0))
