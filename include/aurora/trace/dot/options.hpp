// What a space-time diagram shows: its title and the window of steps or times it draws
// (dot_writer.hpp draws it).
#pragma once

#include <optional>
#include <string>

#include "aurora/sim/time.hpp"

namespace aurora::trace {

struct dot_options {
  std::string title;  // graph label; empty = none
  // Keep only events whose step is in [from, to] (-1 = open). 0-based, like `event::step`.
  int step_from = -1, step_to = -1;
  std::optional<sim::time_point> time_from, time_to;  // keep only events in this time window
  // Merge consecutive rows that hold only arrow ends of the same message types (see the top of
  // dot_writer.hpp); false gives every distinct time a row of its own.
  bool collapse_quiet_rows = true;
};

}  // namespace aurora::trace
