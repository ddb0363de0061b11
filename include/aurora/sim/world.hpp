// The world: the one deterministic simulation every participant of a run lives on.
//
// DESIGN §3: storage nodes, instances, clients and the operations that steer them are all
// participants of one world, which owns one scheduler (simulated time, events in insertion
// order at equal times), one seeded PRNG, one recorder of trace events and one network. Several
// clusters can live on one world and share its clock, network and storage fleet (blue/green,
// a restored or cloned cluster). Whoever drives a run (the harness's runner, a property test, a
// tutorial program) owns the world and passes it by reference; a cluster never owns one.
//
// The world is a template on the network's message type, which is defined by the layers above
// (db/wire.hpp: `db::world`), so that this layer knows nothing of them.
#pragma once

#include <cstdint>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::sim {

struct world_options {
  std::uint64_t seed = 1;                                      // the PRNG's seed
  std::uint64_t event_limit = scheduler::default_event_limit;  // a run stops after this many
  bool trace = false;                                          // record trace events
};

template <class message>
class world {
 public:
  explicit world(const world_options& options = {})
      : options_(options),
        clock_(options.event_limit),
        prng_(options.seed),
        net_(clock_, prng_, trace_) {
    trace_.set_enabled(options.trace);
    // An internal assertion that fails names the simulated time and seed of this world.
    aurora::detail::current_assert_context() = {true, clock_.now_address(), options.seed};
  }

  world(const world&) = delete;
  world& operator=(const world&) = delete;
  ~world() {
    aurora::detail::assert_context& context = aurora::detail::current_assert_context();
    if (context.now_us == clock_.now_address()) context = {};
  }

  [[nodiscard]] std::uint64_t seed() const { return options_.seed; }
  [[nodiscard]] scheduler& clock() { return clock_; }
  [[nodiscard]] random& prng() { return prng_; }
  [[nodiscard]] trace::recorder& trace() { return trace_; }
  [[nodiscard]] const trace::recorder& trace() const { return trace_; }
  [[nodiscard]] network<message>& net() { return net_; }
  [[nodiscard]] const network<message>& net() const { return net_; }
  [[nodiscard]] sim::probes& probes() { return net_.probes(); }
  [[nodiscard]] const sim::probes& probes() const { return net_.probes(); }

  [[nodiscard]] time_point now() const { return clock_.now(); }
  // The scenario step in progress (stamped on trace events and violations).
  [[nodiscard]] int current_step() const { return trace_.step(); }
  void run_until(time_point until) { clock_.run_until(until); }

 private:
  world_options options_;
  scheduler clock_;
  random prng_;
  trace::recorder trace_;
  network<message> net_;
};

}  // namespace aurora::sim
