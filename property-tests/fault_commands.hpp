// rapidcheck stateful commands for the fault properties (rapidcheck doc/state.md), swarm style.
//
// Each case first draws its *fault mix* (which fault kinds are on, their weights and
// intensities, the focus nodes: harness/explore.hpp, the same sampler `aurora-harness explore`
// uses), then a sequence of commands, each one draw of the same generator: a wait, then a step
// of an enabled kind (a client operation or a fault), a burst of 2-3 faults at nearly the same
// time, or a hot burst of client operations around a read. A mix that drew a small LAL runs with
// it (`config lal=N`). Every draw is a rapidcheck pick, so a failing sequence shrinks: commands are
// removed, waits and values shrink. The mix itself does not shrink: it is what generated the
// commands, and it is printed with the counterexample.
//
// The system under test is a `property_run`: a scenario runner driven step by step, which applies
// a fault only if it stays inside the fault profile (harness/fault_budget.hpp) and checks every
// invariant after every step. Every step it performs is also kept as a scenario, so a failing
// (and shrunk) command sequence prints as a scenario file that `aurora-harness run` replays.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <array>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "aurora/harness/explore.hpp"
#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "rc_source.hpp"

namespace aurora::harness {
// How rapidcheck shows a drawn mix in a counterexample.
inline void showValue(const fault_mix& mix, std::ostream& out) { out << mix.describe(); }
}  // namespace aurora::harness

namespace aurora::properties {

// What one case draws before its commands: its mix and the names of its configuration.
struct swarm_case {
  harness::fault_mix mix;
  harness::swarm_names names;
};

// What the generator knows: the case's swarm, its clock (the time of the next step, busy
// clients, the writer it believes in, a scheduled automatic failover), and whether the next
// command may be a wait (not twice in a row: the explorer draws at most one before a batch).
struct model_state {
  std::shared_ptr<const swarm_case> swarm;
  harness::detail::swarm_clock clock;
  bool wait_next = true;
};

// The last failing case (the shrunk counterexample, once shrinking is done).
struct failure_record {
  std::string scenario_text;
  std::string reason;
  std::string invariant;  // the invariant that broke, or "final check"
  std::string mix;        // the case's fault mix, as `fault_mix::describe` prints it
  int steps = 0;
};
inline failure_record& last_failure() {
  static failure_record record;
  return record;
}

// Rare paths reached over all cases of a property.
inline sim::probes& probes_reached() {
  static sim::probes total;
  return total;
}

// Steps performed (and faults left out by the profile) per kind, over all cases of a property:
// the evidence that the swarm reaches every kind.
struct kind_counts {
  std::array<std::uint64_t, harness::explore_kind_count> performed{};
  std::array<std::uint64_t, harness::explore_kind_count> left_out{};
  std::uint64_t bursts = 0;
  std::uint64_t hot_bursts = 0;
  [[nodiscard]] std::uint64_t of(harness::explore_kind kind) const {
    return performed[static_cast<std::size_t>(kind)];
  }
};
inline kind_counts& kinds_reached() {
  static kind_counts counts;
  return counts;
}

class property_run {
 public:
  property_run(harness::scenario plan, harness::fault_profile profile, std::string mix)
      : plan_(std::move(plan)), profile_(profile), mix_(std::move(mix)), runner_(plan_, {}) {}

  void perform(const harness::step& next, harness::explore_kind kind) {
    const auto index = static_cast<std::size_t>(kind);
    if (!harness::perform_within_profile(runner_, plan_, next, profile_)) {
      ++kinds_reached().left_out[index];
      return;
    }
    ++kinds_reached().performed[index];
    runner_.advance_to(runner_.model().clock().now());
    require_no_violation();
  }

  // The final check of SCENARIO.md; fails the case if anything is wrong.
  void finish() {
    const harness::run_result result = runner_.finish();
    probes_reached().add(runner_.model().network().probes());
    if (result.passed()) return;
    if (!result.violations.empty()) {
      const check::violation& first = result.violations.front();
      return fail(first.invariant, first.reason);
    }
    fail("final check", *result.final_check_failure);
  }

 private:
  void require_no_violation() {
    const auto& found = runner_.partial().violations;
    if (found.empty()) return;
    probes_reached().add(runner_.model().network().probes());
    fail(found.front().invariant, found.front().reason);
  }

  void fail(const std::string& invariant, const std::string& reason) {
    last_failure() = {harness::print_scenario(plan_), invariant + ": " + reason, invariant, mix_,
                      static_cast<int>(plan_.steps.size())};
    RC_FAIL(invariant + ": " + reason + "\nfault mix: " + mix_);
  }

  harness::scenario plan_;
  harness::fault_profile profile_;
  std::string mix_;
  harness::runner runner_;
};

using command = rc::state::Command<model_state, property_run>;

// The wait before a batch: moves simulated time forward, mostly a little (races), sometimes a
// lot (timeouts, repair). A command of its own, so that shrinking can drop a step without
// moving the time of the next one, and shrink the waits on their own.
struct advance : command {
  sim::duration by;
  explicit advance(const model_state& model) {
    rc_source draw;
    by = harness::detail::draw_wait_length(draw, model.swarm->mix, model.clock);
  }
  void apply(model_state& model) const override {
    model.clock.now = model.clock.now + by;
    model.wait_next = false;
  }
  void run(const model_state&, property_run&) const override {}
  void show(std::ostream& out) const override { out << "advance " << sim::to_string(by); }
};

// One batch of the swarm generator: one step, or a burst, at the model's time.
struct swarm_step : command {
  harness::drawn_steps value;
  explicit swarm_step(const model_state& model) {
    rc_source draw;
    harness::detail::swarm_clock clock = model.clock;
    value = harness::detail::draw_batch(draw, model.swarm->mix, model.swarm->names, clock);
  }
  void apply(model_state& model) const override {
    harness::detail::advance_clock(model.swarm->names, value, model.clock);
    model.wait_next = true;
  }
  // The time comes from the model as it is when the step runs: after shrinking has removed
  // some commands, the time the step was generated at no longer applies.
  void run(const model_state& model, property_run& sut) const override {
    if (value.burst) ++kinds_reached().bursts;
    if (value.hot) ++kinds_reached().hot_bursts;
    for (const harness::drawn_step& each : value.steps) {
      harness::step next = each.value;
      next.at = model.clock.now + each.offset;
      sut.perform(next, each.kind);
    }
  }
  void show(std::ostream& out) const override {
    for (const harness::drawn_step& each : value.steps) {
      if (&each != &value.steps.front()) out << "; +" << sim::to_string(each.offset) << " ";
      out << harness::print_step(each.value);
    }
  }
};

// Before a batch, a wait with the mix's `advance_percent` chance (as `draw_wait` decides).
inline rc::Gen<std::shared_ptr<const command>> commands(const model_state& model) {
  auto step = rc::state::gen::execOneOfWithArgs<swarm_step>()(model);
  if (!model.wait_next) return step;
  const int wait = model.swarm->mix.advance_percent;
  return rc::gen::weightedOneOf<std::shared_ptr<const command>>(
      {{static_cast<std::size_t>(wait), rc::state::gen::execOneOfWithArgs<advance>()(model)},
       {static_cast<std::size_t>(100 - wait), step}});
}

// The shape of the volume a property runs on.
struct volume_shape {
  int protection_groups = 1;
  int nodes_per_az = 2;
};

// The configuration every fault property runs: a writer and the mix's read replicas (one in most
// mixes, a failover target; none or two in some), and the mix's small LAL if it drew one.
// (Drawn last in the mix, after every other parameter: the rest of a mix does not depend on it.)
inline harness::scenario property_scenario(db::teaching_variant variant, volume_shape shape,
                                           const harness::fault_mix& mix = {}) {
  harness::scenario plan;
  plan.seed = 1;
  plan.settings.protection_groups = shape.protection_groups;
  plan.settings.nodes_per_az = shape.nodes_per_az;
  plan.settings.replicas = mix.replicas;
  plan.settings.op_timeout = sim::ms(200);
  plan.settings.variant = variant;
  if (mix.lal > 0) plan.settings.lal = mix.lal;
  if (mix.control_plane_failover) plan.settings.detection_time = mix.detection;
  const std::vector<std::string> clients = harness::swarm_names::client_names();
  for (std::size_t index = 0; index < mix.client_paths.size(); ++index) {
    if (mix.client_paths[index] == ops::client_options{}) continue;
    plan.settings.clients[clients[index]] = mix.client_paths[index];
  }
  return plan;
}

// The case's fault mix, drawn first (and never shrunk) with the explorer's sampler.
inline rc::Gen<harness::fault_mix> mixes(volume_shape shape) {
  return rc::gen::noShrink(rc::gen::exec([shape] {
    rc_source draw;
    return harness::detail::sample_fault_mix(draw, harness::explore_shape::fixed,
                                             shape.protection_groups, shape.nodes_per_az);
  }));
}

// The property: a fault mix, any command sequence drawn from it, then the final check. A mix
// with a small LAL runs with `config lal=N` (so its counterexample prints and replays with it).
inline auto fault_property(db::teaching_variant variant, harness::fault_profile profile,
                           volume_shape shape = {}) {
  return [variant, profile, shape] {
    const harness::fault_mix mix = *mixes(shape);
    const harness::scenario plan = property_scenario(variant, shape, mix);
    auto swarm =
        std::make_shared<const swarm_case>(swarm_case{mix, harness::swarm_names(plan.settings)});
    property_run sut(plan, profile, mix.describe());
    rc::state::check(model_state{swarm, {}}, sut,
                     [](const model_state& model) { return commands(model); });
    sut.finish();
  };
}

}  // namespace aurora::properties
