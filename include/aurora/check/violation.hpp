// A violation of a named invariant: which one, a reason a learner can read, when, at which step.
#pragma once

#include <string>

#include "aurora/sim/time.hpp"

namespace aurora::check {

struct violation {
  std::string invariant;
  std::string reason;
  sim::time_point at{};
  int step = -1;
};

}  // namespace aurora::check
