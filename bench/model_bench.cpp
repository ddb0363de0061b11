// The storage model's speed: simulated commits per second of wall time, and fault-property cases
// per second.
//
// - commits: one writer, one protection group, no replicas; 256 clients each commit one-key
//   transactions back to back (closed loop); the writer batches for 50 us (group commit).
//   Measured with tracing off and on; the ratio on/off is the cost of recording events.
// - events: the bare scheduler running the same number of events as the commit run, for scale.
// - property cases: the safe fault property of property-tests/ (rc::state sequences of up to 50
//   commands, then the final check), run through rapidcheck for a fixed number of cases.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "aurora/ops/deployment.hpp"
#include "fault_commands.hpp"

namespace {

constexpr int clients = 256;
constexpr auto simulated = aurora::sim::ms(200);

struct closed_loop {
  aurora::ops::deployment* model;
  std::string client;
  std::int64_t* committed;
  std::int64_t next = 0;
  void start() {
    model->write(client, {{"k" + client, ++next}}, [this](const aurora::check::operation& op) {
      if (op.status == aurora::check::op_status::ok) ++*committed;
      start();
    });
  }
};

std::int64_t run_commits(bool tracing, std::uint64_t& events) {
  aurora::ops::setup config;
  config.trace = tracing;
  config.lal = 100'000;
  config.batch_window = aurora::sim::us(50);  // group commit: the writer batches for 50 us
  aurora::ops::simulation model(config);
  std::int64_t committed = 0;
  std::vector<closed_loop> loops;
  loops.reserve(clients);
  for (int index = 0; index < clients; ++index) {
    loops.push_back({&model, "w" + std::to_string(index), &committed});
  }
  for (closed_loop& loop : loops) loop.start();
  model.run_until(simulated);
  events = model.clock().events_run();
  return committed;
}

void commits(benchmark::State& state, bool tracing) {
  std::int64_t total = 0;
  std::uint64_t events = 0;
  for (auto _ : state) total += run_commits(tracing, events);
  state.SetItemsProcessed(total);
  state.counters["events_per_commit"] =
      static_cast<double>(events) / static_cast<double>(total / state.iterations());
}
void commits_tracing_off(benchmark::State& state) { commits(state, false); }
void commits_tracing_on(benchmark::State& state) { commits(state, true); }
BENCHMARK(commits_tracing_off)->Unit(benchmark::kMillisecond);
BENCHMARK(commits_tracing_on)->Unit(benchmark::kMillisecond);

void property_cases(benchmark::State& state) {
  const int cases = 200;
  for (auto _ : state) {
    rc::detail::TestParams params;
    params.seed = 20261124;
    params.maxSuccess = cases;
    params.maxSize = 50;
    const auto result = rc::detail::checkTestable(
        aurora::properties::fault_property(aurora::db::teaching_variant::safe,
                                           aurora::harness::fault_profile::safe),
        rc::detail::TestMetadata{}, params);
    rc::detail::SuccessResult success;
    if (!result.match(success)) state.SkipWithError("the safe property failed");
  }
  state.SetItemsProcessed(state.iterations() * cases);
}
BENCHMARK(property_cases)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
