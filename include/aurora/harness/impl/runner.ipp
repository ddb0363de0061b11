// The runner's entry points (harness/runner.hpp): building and destroying a run (its world,
// deployment and checkers), running it step by step, and the final check with the black-box
// history check. Defined here so that the compiled mode (config.hpp) compiles them once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "aurora/harness/runner.hpp"

namespace aurora::harness {

AURORA_DECL runner::runner(const scenario& plan, run_options options)
    : plan_(plan),
      options_(options),
      setup_(setup_for(plan, options)),
      world_(setup_.world()),
      model_(world_, setup_, &facts_),
      checker_(model_, facts_) {
  result_.seed = setup_.seed;
}

// Out of line, so that destroying the world and the deployment is compiled once.
AURORA_DECL runner::~runner() = default;

AURORA_DECL run_result runner::run(const listener& on_report) {
  on_report_ = on_report;
  for (std::size_t index = 0; index < plan_.steps.size(); ++index) {
    perform_now(static_cast<int>(index), plan_.steps[index]);
  }
  return finish();
}

AURORA_DECL void runner::perform_now(int index, const step& next) {
  advance_to(std::max(next.at, model_.clock().now()));
  model_.trace().set_step(index);
  last_step_at_ = model_.clock().now();
  const auto* write = std::get_if<write_op>(&next.what);
  quiet_at_ = std::max(
      quiet_at_, last_step_at_ + (write ? write->hold : sim::us(0)) + plan_.settings.op_timeout);
  steps_performed_ = index + 1;
  perform(index, next);
}

AURORA_DECL run_result runner::finish() {
  advance_to(std::max(quiet_at_, last_step_at_ + plan_.settings.op_timeout));
  final_check();
  // The invariants judge incrementally; once, at the end, they judge the whole run again.
  collect(check_all(true));
  // Then the client history alone, as an external checker would read it (linearizability per
  // key, replica reads): the invariants above judge by LSNs, which clients never see. Each
  // cluster has a history of its own (a clone's starts with main's writes before it).
  // With no clone every operation is main's, and none needs copying.
  history_check_ =
      clones_.empty()
          ? check::check_linearizability(model_.history().operations(), model_.keys())
          : check::check_linearizability(history_of(std::string(main_cluster)), model_.keys());
  std::vector<check::violation> found;
  for (const check::history_violation& each : history_check_.violations) {
    found.push_back({each.invariant, each.reason, each.at, each.step});
  }
  for (const auto& each : clones_) {
    const check::linearizability_result judged =
        check::check_linearizability(history_of(each->name), model_.cluster(each->name).keys());
    for (const check::history_violation& one : judged.violations) {
      found.push_back({one.invariant, each->name + ": " + one.reason, one.at, one.step});
    }
  }
  collect(std::move(found));
  return std::move(result_);
}

}  // namespace aurora::harness
