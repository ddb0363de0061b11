// How a run's violations read in the transcript: "read_after_commit at step 3, 12.000ms: ...".
// Shared by `run` (run_command.cpp) and `explore` (explore_command.cpp), whose failing seeds
// list their problems the same way.
#pragma once

#include <cstddef>
#include <string>

#include "aurora/check/violation.hpp"
#include "cli_common.hpp"

namespace aurora::cli {

// "step 3", "before step 1" or "the final check", for a violation's 0-based step.
inline std::string step_name(int step, std::size_t step_count) {
  if (step < 0) return "before step 1";
  if (static_cast<std::size_t>(step) >= step_count) return "the final check";
  return "step " + std::to_string(step + 1);
}

inline std::string violation_text(const check::violation& each, std::size_t step_count) {
  return each.invariant + " at " + step_name(each.step, step_count) + ", " +
         time_text(each.at.count_us()) + ": " + each.reason;
}

}  // namespace aurora::cli
