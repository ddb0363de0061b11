// The trace recorder: the one place where every layer writes what happened.
//
// Recording is off by default and then costs one branch per event site (`if (rec.enabled())`),
// so benchmarks and property tests run at full speed; the harness turns it on to write JSON Lines
// and Graphviz DOT (docs/trace-events.md). The recorder also keeps the lanes (participants, with
// their AZ) in the order they were added, which is the column order of the DOT diagram.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "aurora/trace/event.hpp"

namespace aurora::trace {

// The recorded events, in order. A deque: appending never moves the events already recorded.
using event_log = std::deque<event>;

// A lane of the space-time diagram: one participant.
struct lane {
  std::string name;  // "a1", "db1", "c1"
  char az = 0;       // 'a', 'b', 'c' for storage nodes; 0 for instances and clients
  std::string role;  // "storage", "instance", "client", "service"
};

class recorder {
 public:
  [[nodiscard]] bool enabled() const { return enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  // The scenario step now running; stamped on every later event.
  void set_step(int step) { step_ = step; }
  [[nodiscard]] int step() const { return step_; }

  void add_lane(lane value) { lanes_.push_back(std::move(value)); }
  [[nodiscard]] const std::vector<lane>& lanes() const { return lanes_; }

  // Records the event if recording is on; stamps it with the current step.
  void record(event value) {
    if (!enabled_) return;
    value.step = step_;
    events_.push_back(std::move(value));
  }

  [[nodiscard]] const event_log& events() const { return events_; }
  void clear_events() { events_.clear(); }

 private:
  bool enabled_ = false;
  int step_ = -1;
  std::vector<lane> lanes_;
  event_log events_;
};

}  // namespace aurora::trace
