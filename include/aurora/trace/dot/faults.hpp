// Which lanes a fault is drawn on: the lanes the network recorded it touched (the `lanes` field,
// docs/trace-events.md), or for a fault recorded without them, the lanes its text names. A
// partition's full text goes on its first lane and a short marker on the others.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

// The words of a fault's text: `partition db1 | az a,az b` -> partition db1 az a az b.
inline std::vector<std::string> fault_words(const event& value) {
  std::vector<std::string> words(1);
  for (const char c : field_text(value, key::fault)) {
    if (c == ' ' || c == ',' || c == '|' || c == '-' || c == '>') {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back() += c;
    }
  }
  return words;
}

// Adds column `c` to `found` unless it is there already or is no column (-1).
inline void add_unique(std::vector<int>& found, int c) {
  if (c >= 0 && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
}

// Fallback for a fault recorded without `lanes` (every emitter records them now: the network
// for faults, ops/deployment.hpp for actions such as a failover; traces saved by older versions
// lack them): the columns are read from the fault's text, its lane first, then every storage
// lane of an AZ it names (`az b`) and, for a fault without a lane, each lane it names.
inline std::vector<int> fault_columns_from_text(const diagram& d, const event& value) {
  const std::vector<std::string> words = fault_words(value);
  std::vector<int> found;
  add_unique(found, find_column(d, value.lane));
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "az" && i + 1 < words.size() && words[i + 1].size() == 1) {
      for (int c = 0; c < static_cast<int>(d.columns.size()); ++c) {
        if (d.columns[c].storage && d.columns[c].az == words[i + 1][0]) add_unique(found, c);
      }
      ++i;  // the AZ's letter is not a lane name
    } else if (value.lane.empty()) {
      add_unique(found, find_column(d, words[i]));
    }
  }
  return found;
}

// The columns a fault is drawn on, the first one first: the lanes the network recorded that it
// touched (the `lanes` field, names joined by ','), in that order.
inline std::vector<int> fault_columns(const diagram& d, const event& value) {
  const field_value* lanes = find_field(value, key::lanes);
  const auto* names = lanes == nullptr ? nullptr : std::get_if<std::string>(lanes);
  if (names == nullptr) return fault_columns_from_text(d, value);
  std::vector<int> found;
  for (const std::string& name : split_lane_names(*names)) {
    add_unique(found, find_column(d, name));
  }
  return found;
}

// A partition names many lanes; its full text is drawn on the first, this on the others.
constexpr std::string_view partition_marker = "\xe2\x9c\x82 partition";  // scissors

inline bool is_partition(const event& value) {
  return value.kind == kind::fault && fault_words(value).front() == "partition";
}

}  // namespace aurora::trace::dot_detail
