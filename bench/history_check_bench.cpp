// The cost of the black-box history checker (check/linearizability.hpp) beside the runs it
// judges.
//
// Explored scenarios (harness/explore.hpp, profile safe, the variant safe) are made once per
// step count; then
// - runs: each scenario replayed with `runner::run`, which ends with the checker;
// - history_check: the checker alone, on the histories those same runs left.
// The checker's share of a run is history_check / runs, and its cost against running the
// scenario without it is history_check / (runs - history_check); the `ratio` counter of
// `history_check` reports the latter (it needs `runs` with the same step count to run first,
// which Google Benchmark does in registration order).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "aurora/check/linearizability.hpp"
#include "aurora/harness/explore.hpp"
#include "aurora/harness/runner.hpp"

namespace {

constexpr std::uint64_t seeds = 200;

const std::vector<aurora::harness::scenario>& scenarios(int steps) {
  static std::map<int, std::vector<aurora::harness::scenario>> made;
  auto [found, fresh] = made.try_emplace(steps);
  if (fresh) {
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      found->second.push_back(aurora::harness::explore_one(seed, steps,
                                                           aurora::harness::fault_profile::safe,
                                                           aurora::db::teaching_variant::safe)
                                  .plan);
    }
  }
  return found->second;
}

// Processor time in seconds (the programs are single-threaded; other work on the machine does
// not count).
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Processor time of one pass of `runs` per step count, for the ratio.
std::map<int, double>& seconds_per_pass() {
  static std::map<int, double> measured;
  return measured;
}

void runs(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  const auto& plans = scenarios(steps);
  double total = 0;
  for (auto _ : state) {
    const double start = cpu_seconds();
    for (const aurora::harness::scenario& plan : plans) {
      aurora::harness::runner run(plan, {});
      benchmark::DoNotOptimize(run.run());
    }
    total += cpu_seconds() - start;
  }
  seconds_per_pass()[steps] = total / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(plans.size()));
}

void history_check(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<aurora::harness::runner>> done;
  std::uint64_t operations = 0;
  for (const aurora::harness::scenario& plan : scenarios(steps)) {
    done.push_back(std::make_unique<aurora::harness::runner>(plan, aurora::harness::run_options{}));
    done.back()->run();
    operations += done.back()->model().history().operations().size();
  }
  std::uint64_t unchecked = 0, search_steps = 0;
  double total = 0;
  for (auto _ : state) {
    const double start = cpu_seconds();
    for (const auto& run : done) {
      const aurora::check::linearizability_result result = aurora::check::check_linearizability(
          run->model().history().operations(), run->model().keys());
      unchecked += static_cast<std::uint64_t>(result.keys_unchecked);
      search_steps += result.steps;
      benchmark::DoNotOptimize(result);
    }
    total += cpu_seconds() - start;
  }
  const double per_pass = total / static_cast<double>(state.iterations());
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(done.size()));
  state.counters["ops_per_run"] =
      static_cast<double>(operations) / static_cast<double>(done.size());
  state.counters["steps_per_run"] =
      static_cast<double>(search_steps) / iterations / static_cast<double>(done.size());
  state.counters["unchecked_keys"] = static_cast<double>(unchecked) / iterations;
  if (auto run = seconds_per_pass().find(steps); run != seconds_per_pass().end()) {
    state.counters["ratio"] = per_pass / (run->second - per_pass);
  }
}

BENCHMARK(runs)->Arg(40)->Arg(400)->Unit(benchmark::kMillisecond);
BENCHMARK(history_check)->Arg(40)->Arg(400)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
