// Swarm exploration: one seed in, one random faulty run out, judged by every invariant.
//
// This is the deterministic-simulation style of TigerBeetle's VOPR and FoundationDB's simulator:
// a seed determines everything about a run, so a failure is reproduced from its seed alone.
// From `sim::random(seed)` we first sample a *fault mix* (swarm testing, Groce et al. 2012: each
// fault kind is switched on or off, and weighted, per seed, so that some runs see only crashes,
// some only partitions and message loss, and rare combinations get their turn), and, with
// `explore_shape::varied`, the shape of the cluster (protection groups, nodes per AZ). Then we
// draw a scenario of N steps with the shape of the fault properties
// (property-tests/fault_commands.hpp): writes and reads by c1..c3 on keys x, y, z; crashes and
// restarts of nodes and AZs; destroyed disks; one node or AZ partitioned from the rest, and heal;
// bursts of message loss; the writer or the replica crashed and restarted; failover (replicas=1).
// Time moves mostly a little, sometimes a lot.
//
// A fault is kept only if `within_profile` accepts it against the live model (as the previous
// step left it, like the fault properties), so the run is built step by step with
// `runner::perform_now` and then `runner::finish`, exactly the calls `runner::run` makes, and
// the scenario returned (the steps actually performed) replays identically with
// `aurora-harness run`. That is why there is no `explore_scenario(seed)`: which faults survive
// depends on the model's state.
// Deliberately left out: shrinking (the property tests do that with rapidcheck; this file must
// not depend on it) and the message-level faults `duplicate`, `delay` and `slow`, which the fault
// properties do not generate either.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"

namespace aurora::harness {

// What a step of an explored scenario can be. Client operations are always enabled; every other
// kind is a fault, enabled or not per seed.
enum class explore_kind {
  write,
  read,
  crash_node,
  restart_node,
  crash_az,
  restart_az,
  destroy,
  partition,
  heal,
  loss,
  crash_instance,
  restart_instance,
  failover,
};

inline constexpr std::size_t explore_kind_count = 13;
inline constexpr std::array<std::string_view, explore_kind_count> explore_kind_names = {
    "write",   "read",      "crash-node", "restart-node", "crash-az",       "restart-az",
    "destroy", "partition", "heal",       "loss",         "crash-instance", "restart-instance",
    "failover"};

static_assert(explore_kind_count == static_cast<std::size_t>(explore_kind::failover) + 1,
              "one name per explore_kind");

inline std::string_view to_string(explore_kind kind) {
  return explore_kind_names[static_cast<std::size_t>(kind)];
}

inline std::string_view to_string(fault_profile profile) {
  return profile == fault_profile::safe ? "safe" : "beyond";
}

inline std::optional<fault_profile> parse_fault_profile(std::string_view name) {
  if (name == "safe") return fault_profile::safe;
  if (name == "beyond") return fault_profile::beyond;
  return std::nullopt;
}

// The shape of the cluster: `fixed` is the fault properties' (one protection group, two nodes
// per AZ, so PG 0 is on a1 a2 b1 b2 c1 c2); `varied` samples 1-2 protection groups and 2-3 nodes
// per AZ per seed, which reaches placements the properties never see.
enum class explore_shape { fixed, varied };

inline std::string_view to_string(explore_shape shape) {
  return shape == explore_shape::fixed ? "fixed" : "varied";
}

inline std::optional<explore_shape> parse_explore_shape(std::string_view name) {
  if (name == "fixed") return explore_shape::fixed;
  if (name == "varied") return explore_shape::varied;
  return std::nullopt;
}

// Named bounds of the explorer.
struct explore_limits {
  static constexpr int max_steps = 10'000;
  static constexpr int max_weight = 6;              // an enabled kind weighs 1..max_weight
  static constexpr int fault_enabled_percent = 50;  // each fault kind is on with this chance
  static constexpr sim::duration op_timeout = sim::ms(200);  // as in the fault properties
  static constexpr int replicas = 1;  // one replica, so failover has a target
};

// The sampled shape of one seed's run: the swarm parameters.
struct fault_mix {
  std::array<int, explore_kind_count> weights{};  // 0: the kind is switched off
  int advance_percent = 50;                       // chance that a step moves time forward before it
  int protection_groups = 1;
  int nodes_per_az = 2;

  [[nodiscard]] int weight(explore_kind kind) const {
    return weights[static_cast<std::size_t>(kind)];
  }
  [[nodiscard]] int total_weight() const {
    int total = 0;
    for (const int each : weights) total += each;
    return total;
  }
  // "write=3 read=2 crash-node=4 ... advance=40%" (switched-off kinds are left out).
  [[nodiscard]] std::string describe() const {
    std::string text;
    for (std::size_t index = 0; index < explore_kind_count; ++index) {
      if (weights[index] == 0) continue;
      text += std::string(explore_kind_names[index]) + "=" + std::to_string(weights[index]) + " ";
    }
    return text + "advance=" + std::to_string(advance_percent) + "%";
  }
};

// What one explored seed produced.
struct explore_result {
  std::uint64_t seed = 0;
  fault_mix mix;
  scenario plan;                       // the steps actually performed: replays identically
  run_result result;                   // the judgement, as `aurora-harness run` gives it
  int faults_skipped = 0;              // drawn but outside the profile at that moment
  int writes_unavailable = 0;          // stalls: writes not acknowledged within op_timeout
  std::uint64_t events = 0;            // simulated events the run took
  sim::probes probes;                  // the rare paths this run reached
  std::optional<std::string> aborted;  // the run hit a bound (the event limit) and stopped
  [[nodiscard]] bool passed() const { return !aborted && result.passed(); }
};

namespace detail {

// The generator's stream: forked from `sim::random(seed)`, so it is independent of the model's
// own stream (which is seeded with the same seed).
inline sim::random explore_stream(std::uint64_t seed) { return sim::random(seed).fork(); }

inline int weight_draw(sim::random& rng, int enabled_percent) {
  if (!rng.percent(enabled_percent)) return 0;
  return static_cast<int>(rng.uniform(1, explore_limits::max_weight));
}

// The shape is drawn in both modes, so a seed's weights do not depend on the mode.
inline fault_mix sample_fault_mix(sim::random& rng, explore_shape shape) {
  fault_mix mix;
  const int protection_groups = static_cast<int>(rng.uniform(1, 2));
  const int nodes_per_az = static_cast<int>(rng.uniform(2, 3));
  if (shape == explore_shape::varied) {
    mix.protection_groups = protection_groups;
    mix.nodes_per_az = nodes_per_az;
  }
  mix.advance_percent = static_cast<int>(rng.uniform(20, 80));
  for (std::size_t index = 0; index < explore_kind_count; ++index) {
    const auto kind = static_cast<explore_kind>(index);
    const bool client = kind == explore_kind::write || kind == explore_kind::read;
    mix.weights[index] = weight_draw(rng, client ? 100 : explore_limits::fault_enabled_percent);
  }
  return mix;
}

inline scenario explore_plan(std::uint64_t seed, const fault_mix& mix,
                             db::teaching_variant variant) {
  scenario plan;
  plan.seed = seed;
  plan.settings.protection_groups = mix.protection_groups;
  plan.settings.nodes_per_az = mix.nodes_per_az;
  plan.settings.replicas = explore_limits::replicas;
  plan.settings.op_timeout = explore_limits::op_timeout;
  plan.settings.variant = variant;
  return plan;
}

template <class T>
const T& pick(sim::random& rng, const std::vector<T>& choices) {
  AURORA_ASSERT(!choices.empty(), "pick needs something to choose from");
  return choices[rng.below(choices.size())];
}

inline explore_kind pick_kind(sim::random& rng, const fault_mix& mix) {
  auto draw = static_cast<int>(rng.below(static_cast<std::uint64_t>(mix.total_weight())));
  for (std::size_t index = 0; index < explore_kind_count; ++index) {
    draw -= mix.weights[index];
    if (draw < 0) return static_cast<explore_kind>(index);
  }
  AURORA_ASSERT(false, "a weighted draw lands on some kind");
  return explore_kind::write;
}

// Time to the next step: often none (steps race), mostly small, sometimes long enough for
// timeouts, repair and recovery (the distribution of the fault properties' `advance`).
inline sim::duration pick_advance(sim::random& rng, const fault_mix& mix) {
  if (!rng.percent(mix.advance_percent)) return sim::us(0);
  const std::uint64_t band = rng.below(10);
  if (band < 6) return sim::us(rng.uniform(0, 2'000));
  if (band < 9) return sim::us(rng.uniform(2'000, 50'000));
  return sim::us(rng.uniform(50'000, 1'500'000));
}

// One AZ, or one storage node, cut off from every other node and both instances.
inline sim::partition pick_partition(sim::random& rng, const config& settings) {
  const std::vector<std::string> nodes = storage_node_names(settings);
  sim::partition cut;
  if (rng.percent(50)) {
    const std::string az = pick(rng, std::vector<std::string>{"a", "b", "c"});
    cut.left.push_back({az, true});
    for (const char* other : {"a", "b", "c"}) {
      if (az != other) cut.right.push_back({other, true});
    }
  } else {
    const std::string node = pick(rng, nodes);
    cut.left.push_back({node, false});
    for (const std::string& other : nodes) {
      if (other != node) cut.right.push_back({other, false});
    }
  }
  for (const std::string& instance : instance_names(settings))
    cut.right.push_back({instance, false});
  return cut;
}

inline write_op pick_write(sim::random& rng) {
  const std::vector<std::string> keys{"x", "y", "z"};
  write_op write;
  const std::string first = pick(rng, keys);
  write.puts.emplace_back(first, rng.uniform(1, 100));
  if (rng.below(5) == 0) write.puts.emplace_back(first == "x" ? "y" : "x", rng.uniform(1, 100));
  return write;
}

inline action pick_action(sim::random& rng, explore_kind kind, const config& settings) {
  const std::vector<std::string> nodes = storage_node_names(settings);
  const std::vector<std::string> azs{"a", "b", "c"};
  const std::vector<std::string> instances = instance_names(settings);
  const std::vector<int> loss_percents{0, 0, 20, 50};
  switch (kind) {
    case explore_kind::write: return pick_write(rng);
    case explore_kind::read: return read_op{pick(rng, std::vector<std::string>{"x", "y", "z"}), {}};
    case explore_kind::crash_node: return sim::fault{sim::crash{{pick(rng, nodes), false}}};
    case explore_kind::restart_node: return sim::fault{sim::restart{{pick(rng, nodes), false}}};
    case explore_kind::crash_az: return sim::fault{sim::crash{{pick(rng, azs), true}}};
    case explore_kind::restart_az: return sim::fault{sim::restart{{pick(rng, azs), true}}};
    case explore_kind::destroy: return sim::fault{sim::destroy{pick(rng, nodes)}};
    case explore_kind::partition: return sim::fault{pick_partition(rng, settings)};
    case explore_kind::heal: return sim::fault{sim::heal{}};
    case explore_kind::loss: return sim::fault{sim::message_loss{pick(rng, loss_percents)}};
    case explore_kind::crash_instance: return sim::fault{sim::crash{{pick(rng, instances), false}}};
    case explore_kind::restart_instance:
      return sim::fault{sim::restart{{pick(rng, instances), false}}};
    case explore_kind::failover: return sim::fault{sim::failover{}};
  }
  AURORA_ASSERT(false, "every explore kind makes an action");
  return sim::fault{sim::heal{}};
}

// The next step, at `now`: its client is c1..c3 for reads and writes.
inline step pick_step(sim::random& rng, const fault_mix& mix, const config& settings,
                      sim::time_point now) {
  step made;
  made.at = now;
  const explore_kind kind = pick_kind(rng, mix);
  made.what = pick_action(rng, kind, settings);
  if (is_client_operation(made.what)) {
    const std::string client = pick(rng, std::vector<std::string>{"c1", "c2", "c3"});
    if (client != default_client) made.as_client = client;
  }
  return made;
}

inline int count_unavailable_writes(const scenario& plan, const run_result& result) {
  int stalls = 0;
  for (const step_report& line : result.steps) {
    if (line.index < 0 || line.index >= static_cast<int>(plan.steps.size())) continue;
    const bool write = std::holds_alternative<write_op>(plan.steps[line.index].what);
    if (write && line.outcome == "unavailable") ++stalls;
  }
  return stalls;
}

// Drives the runner: each drawn step is performed at its time, unless it is a fault the profile
// rejects. As in the fault properties, the profile judges the model as the previous step left it
// (time only heals: a replacement hydrates, a repaired node returns), and the model runs only
// inside `perform_now` and `finish`, so a replay of the kept steps makes the very same calls.
inline void drive(explore_result& out, runner& run, sim::random& rng, int steps,
                  fault_profile profile) {
  sim::time_point now{};
  for (int drawn = 0; drawn < steps; ++drawn) {
    now = now + pick_advance(rng, out.mix);
    step next = pick_step(rng, out.mix, out.plan.settings, now);
    if (!perform_within_profile(run, out.plan, next, profile)) ++out.faults_skipped;
  }
}

}  // namespace detail

// The fault mix a seed samples (the first draws of its stream).
inline fault_mix explore_mix(std::uint64_t seed, explore_shape shape = explore_shape::fixed) {
  sim::random rng = detail::explore_stream(seed);
  return detail::sample_fault_mix(rng, shape);
}

// Explores one seed: samples its fault mix, builds and runs a scenario of up to `steps` steps
// (faults outside `profile` are dropped), then runs the final check. Deterministic: the same
// arguments give the same scenario and result on every machine and thread.
inline explore_result explore_one(std::uint64_t seed, int steps, fault_profile profile,
                                  db::teaching_variant variant,
                                  explore_shape shape = explore_shape::fixed) {
  if (steps < 0 || steps > explore_limits::max_steps) {
    throw usage_error("explore: steps must be 0.." + std::to_string(explore_limits::max_steps));
  }
  sim::random rng = detail::explore_stream(seed);
  explore_result out;
  out.seed = seed;
  out.mix = detail::sample_fault_mix(rng, shape);
  out.plan = detail::explore_plan(seed, out.mix, variant);
  runner run(out.plan, {});
  try {
    detail::drive(out, run, rng, steps, profile);
    out.result = run.finish();
  } catch (const sim::event_limit_exceeded& error) {
    out.aborted = error.what();
    out.result = run.partial();
  }
  out.result.seed = seed;
  out.writes_unavailable = detail::count_unavailable_writes(out.plan, out.result);
  out.events = run.model().clock().events_run();
  out.probes = run.model().network().probes();
  return out;
}

}  // namespace aurora::harness
