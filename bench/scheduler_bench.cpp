// Scheduler throughput against the bare limit, in the same binary.
//
// Both benchmarks keep a standing queue of 10,000 pending events and, for each event run,
// schedule one more at a later time drawn from the same PRNG; so each does the same number of
// pushes and pops. The bare limit is a std::priority_queue of plain (time, sequence, index)
// structs; the scheduler also stores and invokes a callable per event and supports cancel.
// Read the result as the ratio of items_per_second (scheduler / bare); the target is >= 0.5.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <vector>

#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"

namespace {

constexpr int standing_queue = 10'000;

struct bare_entry {
  std::int64_t time;
  std::uint64_t sequence;
  std::uint32_t index;
  bool operator>(const bare_entry& other) const {
    return time != other.time ? time > other.time : sequence > other.sequence;
  }
};

void bare_priority_queue(benchmark::State& state) {
  aurora::sim::random prng(1);
  std::priority_queue<bare_entry, std::vector<bare_entry>, std::greater<>> queue;
  std::uint64_t sequence = 0;
  for (int index = 0; index < standing_queue; ++index) {
    queue.push({prng.uniform(0, 1'000), sequence++, static_cast<std::uint32_t>(index)});
  }
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    const bare_entry top = queue.top();
    queue.pop();
    checksum += top.index;
    queue.push({top.time + prng.uniform(1, 1'000), sequence++, top.index});
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bare_priority_queue);

struct chain {
  aurora::sim::scheduler* clock;
  aurora::sim::random* prng;
  std::uint64_t* checksum;
  std::uint32_t index;
  void operator()() const {
    *checksum += index;
    clock->schedule_after(aurora::sim::us(prng->uniform(1, 1'000)), *this);
  }
};

void scheduler_events(benchmark::State& state) {
  aurora::sim::random prng(1);
  aurora::sim::scheduler clock(UINT64_MAX);
  std::uint64_t checksum = 0;
  for (int index = 0; index < standing_queue; ++index) {
    clock.schedule_at(aurora::sim::us(prng.uniform(0, 1'000)),
                      chain{&clock, &prng, &checksum, static_cast<std::uint32_t>(index)});
  }
  for (auto _ : state) clock.step();
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(scheduler_events);

}  // namespace

BENCHMARK_MAIN();
