// The diagram model, computed before anything is written: columns (one per lane, in groups that
// become boxes), rows (levels), cells (the events of one lane at one row), stubs where the window
// cuts a message, and the message arrows; with the small lookups every later stage shares.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "aurora/sim/time.hpp"
#include "aurora/trace/dot/options.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::trace::dot_detail {

struct column {
  std::string name;
  std::string group;        // cluster name after "cluster_": "az_a", "instances", "run"
  std::string group_label;  // "AZ a"
  char az = 0;
  bool storage = false;
};

// One node of a lane: its events at one time.
struct cell {
  std::vector<std::size_t> events;
};

// The loose end of a message that the window cuts (an invisible point a little above or below
// the lane's node), or the red X of a message dropped at its sender; beside the lane's node on
// the side of the message's other end.
enum class stub_kind { outgoing, incoming, dropped };

struct stub {
  std::string id;  // "s3"
  int level = 0;
  int column = 0;  // the lane whose node it sits beside
  bool left = false;
  stub_kind kind = stub_kind::outgoing;
};

struct message_info {
  std::optional<std::size_t> send;
  std::vector<std::size_t> arrivals;  // deliver and drop events; ack events when there are none
  bool ack = false;
};

// A row: the span of distinct event times it shows (one time unless quiet rows were merged).
struct row_span {
  std::int64_t first_us = 0, last_us = 0;
};

struct diagram {
  std::vector<bool> kept;           // per event: inside the window
  std::vector<std::int64_t> times;  // distinct kept times, ascending
  std::vector<int> level_of_time;   // per entry of `times`: its row's level
  std::vector<row_span> rows;       // row r is level r + 1
  std::vector<column> columns;
  std::vector<int> display;   // the drawn columns' indices, left to right
  std::vector<int> position;  // per drawn column: its index in `display`
  std::vector<int> rank;      // per column, drawn or not: its place in the left-to-right order
  std::map<std::string, int> column_of;
  int run_column = -1;
  // (level, column) -> node. Levels 1 .. rows.size() are the rows; level 0 holds the lane
  // names and level rows.size() + 1 the names again at the bottom.
  std::map<std::pair<int, int>, cell> cells;
  std::vector<int> home;  // per event: the column of its (first) node; -1 if cut
  std::set<std::int64_t> violation_steps;
  std::vector<stub> stubs;
  std::map<std::tuple<int, int, bool, stub_kind>, std::size_t> stub_of;
  std::set<std::size_t> sender_drops;  // drops drawn as a stub X rather than on their lane
  std::set<std::tuple<std::string, std::string, std::string>> drawn;  // (from, to, label)
  std::set<std::pair<std::string, std::string>> labelled;             // (from, label)
  std::string message_edges;
};

inline bool in_window(const event& value, const dot_options& options) {
  if (options.step_from >= 0 && value.step < options.step_from) return false;
  if (options.step_to >= 0 && value.step > options.step_to) return false;
  if (options.time_from && value.t < *options.time_from) return false;
  if (options.time_to && value.t > *options.time_to) return false;
  return true;
}

// A cluster name made only of letters, digits and underscores.
inline std::string cluster_key(std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string key;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '_') {
      key += c;
    } else {
      key += 'x';
      key += hex_digits[byte >> 4];
      key += hex_digits[byte & 0xf];
    }
  }
  return key;
}

inline column column_for(const lane& source) {
  column result{source.name, "others", "other", source.az, source.role == "storage"};
  if (source.role == "storage" && source.az != 0) {
    result.group = "az_" + cluster_key(std::string(1, source.az));
    result.group_label = "AZ " + std::string(1, source.az);
  } else if (source.role == "storage") {
    result.group = result.group_label = "storage";
  } else if (source.role == "instance") {
    result.group = result.group_label = "instances";
  } else if (source.role == "client") {
    result.group = result.group_label = "clients";
  }
  return result;
}

inline int add_column(diagram& d, column value) {
  const int index = static_cast<int>(d.columns.size());
  d.column_of.emplace(value.name, index);  // the first lane of a name wins
  d.columns.push_back(std::move(value));
  return index;
}

inline int find_column(const diagram& d, const std::string& name) {
  const auto found = d.column_of.find(name);
  return name.empty() || found == d.column_of.end() ? -1 : found->second;
}

// The index of a kept event's time in `d.times`.
inline std::size_t time_index(const diagram& d, sim::time_point t) {
  const auto found = std::lower_bound(d.times.begin(), d.times.end(), t.count_us());
  return static_cast<std::size_t>(found - d.times.begin());
}

inline int level_of(const diagram& d, sim::time_point t) {
  return d.level_of_time[time_index(d, t)];
}

inline std::string cell_id(int level, int column) {
  return 'n' + std::to_string(level) + '_' + std::to_string(column);
}

}  // namespace aurora::trace::dot_detail
