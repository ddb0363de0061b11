// The cost of checking the invariants (check/invariants.hpp) as a run grows longer.
//
// The scenario: one step every 5 ms, alternately a write and a read of one of 50 keys, spread
// over 4 clients (c1..c4), `steps` steps long (generated below, in the scenario language).
// - `runs`: the scenario through `harness::runner`, which checks every invariant after every step
//   and every completion, then runs the final check (a full re-scan and the history checker);
// - `bare`: the same operations on the model alone (`ops::simulation`, no fact log, no checker),
//   the baseline.
// Both report `us_per_step` (processor time per scenario step); `runs` also reports `ratio`, its
// time over `bare`'s with the same step count (registered first). Checking is incremental when
// `runs`' us_per_step stays flat as the step count grows (the goal: 4,000 steps at most 1.5x the
// per-step time of 1,000).
//
//   build/bench/checking_cost_bench                           # 1,000, 4,000 and 16,000 steps
//   AURORA_BENCH_STEPS=100000 build/bench/checking_cost_bench  # one run of any other length
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/ops/deployment.hpp"

namespace {

constexpr int keys = 50;
constexpr int clients = 4;
constexpr int step_ms = 5;

// The scenario of `steps` steps, in the scenario language.
std::string scenario_text(int steps) {
  std::string text = "seed 1\n";
  for (int index = 0; index < steps; ++index) {
    const std::string at = "at " + std::to_string(index * step_ms) + "ms ";
    const std::string key = "k" + std::to_string((index / 2) % keys);
    const std::string client = " as c" + std::to_string(index % clients + 1) + "\n";
    text += at + (index % 2 == 0 ? "write " + key + "=" + std::to_string(index) : "read " + key) +
            client;
  }
  return text;
}

const aurora::harness::scenario& scenario_of(int steps) {
  static std::map<int, aurora::harness::scenario> made;
  auto [found, fresh] = made.try_emplace(steps);
  if (fresh) {
    found->second = aurora::harness::parse_scenario_or_throw(scenario_text(steps), "generated");
  }
  return found->second;
}

// Processor time in seconds (single-threaded; other work on the machine does not count).
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::map<int, double>& bare_seconds() {
  static std::map<int, double> measured;
  return measured;
}

void report(benchmark::State& state, int steps, double seconds) {
  state.counters["us_per_step"] = seconds * 1e6 / static_cast<double>(steps);
  state.SetItemsProcessed(state.iterations() * steps);
}

// The same operations at the same times on the model alone.
void bare(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  const aurora::harness::scenario& plan = scenario_of(steps);
  double total = 0;
  for (auto _ : state) {
    const double start = cpu_seconds();
    aurora::ops::simulation model(aurora::harness::setup_for(plan, {}));
    for (const aurora::harness::step& each : plan.steps) {
      model.run_until(each.at);
      const std::string client = each.as_client.value_or("c1");
      if (const auto* write = std::get_if<aurora::harness::write_op>(&each.what)) {
        std::vector<std::pair<std::string, std::int64_t>> puts(write->puts.begin(),
                                                               write->puts.end());
        model.write(client, puts);
      } else {
        model.read(client, std::get<aurora::harness::read_op>(each.what).key);
      }
    }
    model.run_until(plan.steps.back().at + plan.settings.op_timeout);
    benchmark::DoNotOptimize(model.history().operations().size());
    total += cpu_seconds() - start;
  }
  const double per_run = total / static_cast<double>(state.iterations());
  bare_seconds()[steps] = per_run;
  report(state, steps, per_run);
}

void runs(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  const aurora::harness::scenario& plan = scenario_of(steps);
  double total = 0;
  bool passed = true;
  for (auto _ : state) {
    const double start = cpu_seconds();
    aurora::harness::runner run(plan, {});
    passed = passed && run.run().passed();
    total += cpu_seconds() - start;
  }
  if (!passed) state.SkipWithError("the generated scenario did not pass");
  const double per_run = total / static_cast<double>(state.iterations());
  report(state, steps, per_run);
  if (auto base = bare_seconds().find(steps); base != bare_seconds().end()) {
    state.counters["ratio"] = per_run / base->second;
  }
}

void register_all() {
  std::vector<int> lengths{1'000, 4'000, 16'000};
  if (const char* chosen = std::getenv("AURORA_BENCH_STEPS")) lengths = {std::atoi(chosen)};
  for (const int steps : lengths) {
    benchmark::RegisterBenchmark("bare", bare)
        ->Arg(steps)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("runs", runs)
        ->Arg(steps)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
