// rapidcheck stateful commands for the fault properties (rapidcheck doc/state.md).
//
// Each command is one scenario step: a client operation or a fault, at the model's current
// simulated time; `advance` moves that time. The system under test is a `property_run`: a
// scenario runner driven step by step, which applies a fault only if it stays inside the fault
// profile (harness/fault_budget.hpp) and checks every invariant after every step. Every step it
// performs is also kept as a scenario, so a failing (and shrunk) command sequence prints as a
// scenario file that `aurora-harness run` replays.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_printer.hpp"

namespace aurora::properties {

// What the generator knows: the time of the next step.
struct model_state {
  sim::time_point now{};
};

// The last failing case (the shrunk counterexample, once shrinking is done).
struct failure_record {
  std::string scenario_text;
  std::string reason;
  std::string invariant;  // the invariant that broke, or "final check"
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

class property_run {
 public:
  property_run(harness::scenario plan, harness::fault_profile profile)
      : plan_(std::move(plan)), profile_(profile), runner_(plan_, {}) {}

  void perform(const harness::step& next) {
    if (!harness::perform_within_profile(runner_, plan_, next, profile_)) return;  // left out
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
    last_failure() = {harness::print_scenario(plan_), invariant + ": " + reason, invariant,
                      static_cast<int>(plan_.steps.size())};
    RC_FAIL(invariant + ": " + reason);
  }

  harness::scenario plan_;
  harness::fault_profile profile_;
  harness::runner runner_;
};

using command = rc::state::Command<model_state, property_run>;

// One scenario step made by `kind::make(model)`.
template <class kind>
struct step_command : command {
  harness::step value;
  explicit step_command(const model_state& model) : value(kind::make(model)) {}
  // The time comes from the model as it is when the step runs: after shrinking has removed
  // some `advance` commands, the time the step was generated at no longer applies.
  void run(const model_state& model, property_run& sut) const override {
    harness::step now = value;
    now.at = model.now;
    sut.perform(std::move(now));
  }
  void show(std::ostream& out) const override { out << harness::print_step(value); }
};

inline std::string any_client() { return *rc::gen::element<std::string>("c1", "c2", "c3"); }
inline std::string any_key() { return *rc::gen::element<std::string>("x", "y", "z"); }
inline std::string any_node() {
  return *rc::gen::element<std::string>("a1", "a2", "b1", "b2", "c1", "c2");
}
inline std::string any_az() { return *rc::gen::element<std::string>("a", "b", "c"); }

inline harness::step at(const model_state& model, harness::action what,
                        std::optional<std::string> client = std::nullopt) {
  harness::step made;
  made.at = model.now;
  made.what = std::move(what);
  if (client && *client != "c1") made.as_client = client;
  return made;
}

struct write_kind {
  static harness::step make(const model_state& model) {
    harness::write_op write;
    const std::string first = any_key();
    write.puts.emplace_back(first, *rc::gen::inRange<std::int64_t>(1, 100));
    if (*rc::gen::inRange(0, 4) == 0) {
      const std::string second = first == "x" ? "y" : "x";
      write.puts.emplace_back(second, *rc::gen::inRange<std::int64_t>(1, 100));
    }
    return at(model, std::move(write), any_client());
  }
};
struct read_kind {
  static harness::step make(const model_state& model) {
    return at(model, harness::read_op{any_key(), std::nullopt}, any_client());
  }
};
struct crash_node_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::crash{{any_node(), false}}}); }
};
struct restart_node_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::restart{{any_node(), false}}}); }
};
struct crash_az_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::crash{{any_az(), true}}}); }
};
struct restart_az_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::restart{{any_az(), true}}}); }
};
struct destroy_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::destroy{any_node()}}); }
};
struct partition_kind {  // one AZ or one node cut off from everything else
  static harness::step make(const model_state& m) {
    std::vector<sim::target> cut, rest;
    if (*rc::gen::arbitrary<bool>()) {
      const std::string az = any_az();
      cut.push_back({az, true});
      for (const char* other : {"a", "b", "c"}) {
        if (az != other) rest.push_back({other, true});
      }
    } else {
      const std::string node = any_node();
      cut.push_back({node, false});
      for (const char* other : {"a1", "a2", "b1", "b2", "c1", "c2"}) {
        if (node != other) rest.push_back({other, false});
      }
    }
    rest.push_back({"db1", false});
    rest.push_back({"db2", false});
    return at(m, sim::fault{sim::partition{cut, rest, false}});
  }
};
struct heal_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::heal{}}); }
};
struct loss_kind {
  static harness::step make(const model_state& m) {
    return at(m, sim::fault{sim::message_loss{*rc::gen::element(0, 0, 20, 50)}});
  }
};
struct crash_writer_kind {
  static harness::step make(const model_state& m) {
    return at(m, sim::fault{sim::crash{{*rc::gen::element<std::string>("db1", "db2"), false}}});
  }
};
struct restart_writer_kind {
  static harness::step make(const model_state& m) {
    return at(m, sim::fault{sim::restart{{*rc::gen::element<std::string>("db1", "db2"), false}}});
  }
};
struct failover_kind {
  static harness::step make(const model_state& m) { return at(m, sim::fault{sim::failover{}}); }
};

// Moves simulated time forward: mostly a little (races), sometimes a lot (timeouts, repair).
struct advance : command {
  sim::duration by;
  explicit advance(const model_state&)
      : by(sim::us(*rc::gen::weightedOneOf<std::int64_t>(
            {{6, rc::gen::inRange<std::int64_t>(0, 2'000)},
             {3, rc::gen::inRange<std::int64_t>(2'000, 50'000)},
             {1, rc::gen::inRange<std::int64_t>(50'000, 1'500'000)}}))) {}
  void apply(model_state& model) const override { model.now = model.now + by; }
  void run(const model_state&, property_run&) const override {}
  void show(std::ostream& out) const override { out << "advance " << sim::to_string(by); }
};

inline auto commands(const model_state& model) {
  return rc::state::gen::execOneOfWithArgs<
      step_command<write_kind>, step_command<write_kind>, step_command<write_kind>,
      step_command<read_kind>, step_command<read_kind>, advance, advance, advance,
      step_command<crash_node_kind>, step_command<restart_node_kind>,
      step_command<crash_az_kind>, step_command<restart_az_kind>, step_command<destroy_kind>,
      step_command<partition_kind>, step_command<heal_kind>, step_command<loss_kind>,
      step_command<crash_writer_kind>, step_command<restart_writer_kind>,
      step_command<failover_kind>>()(model);
}

// The shape of the volume a property runs on.
struct volume_shape {
  int protection_groups = 1;
  int nodes_per_az = 2;
};

// The configuration every fault property runs: one writer and one replica (for failover).
inline harness::scenario property_scenario(db::teaching_variant variant, volume_shape shape) {
  harness::scenario plan;
  plan.seed = 1;
  plan.settings.protection_groups = shape.protection_groups;
  plan.settings.nodes_per_az = shape.nodes_per_az;
  plan.settings.replicas = 1;
  plan.settings.op_timeout = sim::ms(200);
  plan.settings.variant = variant;
  return plan;
}

// The property: any command sequence, then the final check.
inline auto fault_property(db::teaching_variant variant, harness::fault_profile profile,
                           volume_shape shape = {}) {
  return [variant, profile, shape] {
    property_run sut(property_scenario(variant, shape), profile);
    rc::state::check(model_state{}, sut, [](const model_state& model) { return commands(model); });
    sut.finish();
  };
}

}  // namespace aurora::properties
