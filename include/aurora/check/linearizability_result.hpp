// The verdict of the black-box history checker (check/linearizability.hpp): violations, keys
// judged and keys given up on, and the options that bound the search.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aurora/sim/time.hpp"

namespace aurora::check {

// A violation found in the client history: the invariant, a reason a learner can read, when the
// operation at fault completed, and its scenario step. The fields of `check::violation`, which
// lives in invariants.hpp beside the model's checkers (this header must not see the model); the
// runner copies them over.
struct history_violation {
  std::string invariant;
  std::string reason;
  sim::time_point at{};
  int step = -1;
};

struct linearizability_options {
  std::uint64_t step_budget = 100'000;  // steps of one search before it gives up
  int explanation_searches = 200;       // searches spent shrinking one violation's explanation
};

struct linearizability_result {
  std::vector<history_violation> violations;  // in time order
  int keys_checked = 0;                       // keys whose every search finished
  int keys_unchecked = 0;                     // keys a search gave up on: not judged
  std::vector<std::string> unchecked;         // their names
  std::uint64_t searches = 0;
  std::uint64_t steps = 0;  // search steps over all keys
};

}  // namespace aurora::check
