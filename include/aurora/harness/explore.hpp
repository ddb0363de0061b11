// Swarm exploration: one seed in, one random faulty run out, judged by every invariant.
//
// This is the deterministic-simulation style of TigerBeetle's VOPR and FoundationDB's simulator:
// a seed determines everything about a run, so a failure is reproduced from its seed alone.
// A seed's fault mix (explore_mix.hpp) and its steps (swarm_generator.hpp, swarm_steps.hpp) come
// from the seed's own stream; this header runs them.
//
//
// A fault is kept only if `within_profile` accepts it against the live model (as the previous
// step left it, like the fault properties), so the run is built step by step with
// `runner::perform_now` and then `runner::finish`, exactly the calls `runner::run` makes, and
// the scenario returned (the steps actually performed) replays identically with
// `aurora-harness run`. That is why there is no `explore_scenario(seed)`: which faults survive
// depends on the model's state.
// Deliberately left out: shrinking (the property tests do that with rapidcheck; this file must
// not depend on it), and partitions of clients (the scenario language cannot name them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "aurora/harness/explore_mix.hpp"
#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/swarm_generator.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"

namespace aurora::harness {

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

// ---- Explore ----------------------------------------------------------------------------------

inline scenario explore_plan(std::uint64_t seed, const fault_mix& mix,
                             db::teaching_variant variant) {
  scenario plan;
  plan.seed = seed;
  plan.settings.protection_groups = mix.protection_groups;
  plan.settings.nodes_per_az = mix.nodes_per_az;
  plan.settings.replicas = mix.replicas;
  plan.settings.op_timeout = explore_limits::op_timeout;
  plan.settings.variant = variant;
  if (mix.lal > 0) plan.settings.lal = mix.lal;
  if (mix.control_plane_failover) plan.settings.detection_time = mix.detection;
  plan.settings.promotion_time = mix.promotion;
  plan.settings.dns_propagation = mix.dns_propagation;
  const std::vector<std::string> clients = harness::swarm_names::client_names();
  for (std::size_t index = 0; index < mix.client_paths.size(); ++index) {
    if (mix.client_paths[index] == ops::client_options{}) continue;
    plan.settings.clients[clients[index]] = mix.client_paths[index];
  }
  return plan;
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
  const swarm_names names(out.plan.settings);
  swarm_clock clock;
  for (int drawn = 0; drawn < steps; ++drawn) {
    const sim::time_point start = clock.now;
    const drawn_steps batch = draw_steps(rng, out.mix, names, clock);
    for (const drawn_step& each : batch.steps) {
      step next = each.value;
      next.at = start + batch.wait + each.offset;
      if (!perform_within_profile(run, out.plan, next, profile)) ++out.faults_skipped;
    }
  }
}

}  // namespace detail

// The fault mix a seed samples (the first draws of its stream).
inline fault_mix explore_mix(std::uint64_t seed, explore_shape shape = explore_shape::fixed) {
  sim::random rng = detail::explore_stream(seed);
  return detail::sample_fault_mix(rng, shape);
}

// Explores one seed: samples its fault mix, builds and runs a scenario of up to `steps` draws
// (a burst draws 2-3 steps; faults outside `profile` are dropped), then runs the final check.
// Deterministic: the same arguments give the same scenario and result on every machine and
// thread.
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
