// Columns of the diagram: one per lane (from the recorder's lanes, and lanes only events name),
// every kept event placed in the cells of the columns it is drawn on (a run lane for run-wide
// events), and the left-to-right order of the columns drawn.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <range/v3/view/enumerate.hpp>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/faults.hpp"
#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/dot/options.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

// The columns an event is drawn on; empty means the run lane.
inline std::vector<int> event_columns(const diagram& d, const event& value) {
  if (value.kind == kind::fault) return fault_columns(d, value);
  const int own = find_column(d, value.lane);
  if (own < 0) return {};
  return {own};
}

// Columns from the recorder's lanes and from lanes that only events name; rows from times.
inline void add_columns_and_rows(diagram& d, const recorder& source, const dot_options& options) {
  const event_log& events = source.events();
  for (const lane& each : source.lanes()) add_column(d, column_for(each));
  d.kept.assign(events.size(), false);
  for (const auto& [i, value] : events | ranges::views::enumerate) {
    if (!in_window(value, options)) continue;
    d.kept[i] = true;
    d.times.push_back(value.t.count_us());
    if (!value.lane.empty() && d.column_of.count(value.lane) == 0) {
      add_column(d, column_for(lane{value.lane, 0, "other"}));
    }
  }
  std::sort(d.times.begin(), d.times.end());
  d.times.erase(std::unique(d.times.begin(), d.times.end()), d.times.end());
}

// Puts every kept event into its cells, adding the run lane if some event needs it.
inline void place_events(diagram& d, const recorder& source) {
  const event_log& events = source.events();
  d.home.assign(events.size(), -1);
  for (const auto& [i, value] : events | ranges::views::enumerate) {
    if (!d.kept[i]) continue;
    std::vector<int> targets = event_columns(d, value);
    if (targets.empty()) {
      if (d.run_column < 0) d.run_column = add_column(d, column{"run", "run", "", 0, false});
      targets.push_back(d.run_column);
    }
    d.home[i] = targets.front();
    const int level = level_of(d, value.t);
    for (const int c : targets) d.cells[{level, c}].events.push_back(i);
  }
  for (const event& value : events) {
    if (value.kind != kind::violation) continue;
    d.violation_steps.insert(integer_field(value, key::step).value_or(value.step));
  }
}

// Whether each column is drawn: a storage lane always (so that the AZ boxes keep their shape),
// another lane when it has a node in the window, and every lane when the window is empty.
inline std::vector<bool> drawn_columns(const diagram& d) {
  std::vector<bool> drawn(d.columns.size(), d.cells.empty());
  for (std::size_t c = 0; c < d.columns.size(); ++c) {
    if (d.columns[c].storage) drawn[c] = true;
  }
  for (const auto& [key, node] : d.cells) drawn[key.second] = true;
  return drawn;
}

// Left to right: the run lane, then each group where its first lane is, lanes in added order.
// `rank` orders every lane (it tells which side a lane is on); `display` and `position` hold
// only the drawn ones.
inline void order_columns(diagram& d) {
  std::vector<int> order;
  if (d.run_column >= 0) order.push_back(d.run_column);
  std::vector<std::string> groups;
  for (const column& each : d.columns) {
    if (each.group != "run" && std::find(groups.begin(), groups.end(), each.group) == groups.end())
      groups.push_back(each.group);
  }
  for (const std::string& group : groups) {
    for (int c = 0; c < static_cast<int>(d.columns.size()); ++c) {
      if (d.columns[c].group == group) order.push_back(c);
    }
  }
  const std::vector<bool> drawn = drawn_columns(d);
  d.rank.assign(d.columns.size(), 0);
  d.position.assign(d.columns.size(), -1);
  for (std::size_t p = 0; p < order.size(); ++p) {
    d.rank[order[p]] = static_cast<int>(p);
    if (!drawn[order[p]]) continue;
    d.position[order[p]] = static_cast<int>(d.display.size());
    d.display.push_back(order[p]);
  }
}

}  // namespace aurora::trace::dot_detail
