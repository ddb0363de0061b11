// Rows of the diagram: one per distinct event time in the window, and runs of quiet rows (only
// the ends of arrows of the same message types in one step) merged into one row
// (dot_options::collapse_quiet_rows; dot_writer.hpp explains when rows merge).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/dot/labels.hpp"
#include "aurora/trace/dot/options.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

// What merging needs to know about the events at one time, or at a run of merged times.
struct row_summary {
  bool quiet = true;  // only arrow ends (send, deliver, drop, ack), each on a known lane
  std::set<std::pair<int, std::string>> signature;  // (step, message type) of every event
  std::map<int, std::set<std::string>> ends;        // per column: the kinds of its arrow ends
  std::set<std::uint64_t> sent, arrived;            // message ids
};

// The type of every message: its send's `type` field, or else the first of its ends that has one.
inline std::map<std::uint64_t, std::string> message_types(const recorder& source) {
  std::map<std::uint64_t, std::string> types;
  for (const event& value : source.events()) {
    if (value.message_id == 0) continue;
    std::string type = field_text(value, key::type);
    std::string& known = types[value.message_id];
    if (value.kind == kind::send || known.empty()) known = std::move(type);
  }
  return types;
}

// Adds one kept event to the summary of its time.
inline void summarize(row_summary& row, const diagram& d, const event& value,
                      const std::map<std::uint64_t, std::string>& types) {
  const int c = find_column(d, value.lane);
  if (!is_message_end(value) || c < 0) {
    row.quiet = false;
    return;
  }
  row.signature.insert({value.step, types.at(value.message_id)});
  row.ends[c].insert(value.kind);
  (value.kind == kind::send ? row.sent : row.arrived).insert(value.message_id);
}

// Whether a row may join the run of quiet rows before it: both quiet, the same message types in
// the same step, no lane with different kinds of ends, no arrival of a message sent in the run
// (its arrow would be flat).
inline bool can_join(const row_summary& run, const row_summary& row) {
  if (!run.quiet || !row.quiet || run.signature != row.signature) return false;
  for (const std::uint64_t id : row.arrived) {
    if (run.sent.count(id) != 0) return false;
  }
  for (const auto& [c, kinds] : row.ends) {
    const auto found = run.ends.find(c);
    if (found != run.ends.end() && found->second != kinds) return false;
  }
  return true;
}

// Gives every distinct time its level: a row of its own, or the run of quiet rows it joins.
inline void assign_rows(diagram& d, const recorder& source, const dot_options& options) {
  const event_log& events = source.events();
  const std::map<std::uint64_t, std::string> types = message_types(source);
  std::vector<row_summary> summaries(d.times.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (d.kept[i]) summarize(summaries[time_index(d, events[i].t)], d, events[i], types);
  }
  row_summary run;
  for (std::size_t k = 0; k < d.times.size(); ++k) {
    if (options.collapse_quiet_rows && k != 0 && can_join(run, summaries[k])) {
      run.sent.insert(summaries[k].sent.begin(), summaries[k].sent.end());
      run.ends.insert(summaries[k].ends.begin(), summaries[k].ends.end());
      d.rows.back().last_us = d.times[k];
    } else {
      run = std::move(summaries[k]);
      d.rows.push_back({d.times[k], d.times[k]});
    }
    d.level_of_time.push_back(static_cast<int>(d.rows.size()));
  }
}

}  // namespace aurora::trace::dot_detail
