// The label of each event in the diagram: the lines of text (each with a colour and weight) an
// event adds to its node, and the label of a message arrow. Ends of message arrows (send,
// deliver, drop) have no text; client operations, LSN points, faults and violations have compact
// labels of their own; any other event prints its fields.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/dot/text.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

// True when a message type names an acknowledgement: "ack", "write_ack", "ack-batch".
inline bool is_ack_type(std::string_view type) {
  std::string word;
  for (std::size_t i = 0; i <= type.size(); ++i) {
    if (i < type.size() && std::isalnum(static_cast<unsigned char>(type[i])) != 0) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(type[i])));
      continue;
    }
    if (word == "ack" || word == "acks") return true;
    word.clear();
  }
  return false;
}

// The label of a message arrow: the send's `type` and `summary` fields, when present; the
// summary once when it only repeats the type (`reply`, not `reply reply`).
inline std::string message_label(const event& send) {
  std::string label = field_text(send, key::type);
  const std::string summary = field_text(send, key::summary);
  if (summary == label) return label;
  if (!label.empty() && !summary.empty()) label += ' ';
  return label + summary;
}

struct label_line {
  std::string text;
  std::string_view color = "#202020";
  bool bold = false;
};

// invoke / ok / fail / info: `write x=1`, `ok`, `read x -> 1`, `fail`, `info (timeout)`.
inline label_line client_line(const event& value) {
  const std::string op = field_text(value, key::op);
  const field_value* keys = find_field(value, key::value);
  std::string reason = field_text(value, key::reason);
  if (reason.empty()) reason = field_text(value, key::error);
  if (value.kind == kind::invoke) {
    std::string text = op.empty() ? std::string(kind::invoke) : op;
    if (keys != nullptr && op == "read" && std::holds_alternative<key_values>(*keys)) {
      for (const auto& entry : std::get<key_values>(*keys)) text += ' ' + entry.first;
    } else if (keys != nullptr) {
      text += ' ' + value_text(*keys);
    }
    return {text, "#0d47a1", true};
  }
  if (value.kind == kind::ok && op == "read" && keys != nullptr) {
    return {"read " + value_text(*keys, ", "), "#1b5e20", true};
  }
  std::string text = value.kind;
  if (!reason.empty()) text += " (" + reason + ")";
  if (value.kind == kind::ok) return {text, "#1b5e20", true};
  if (value.kind == kind::fail) return {text, "#b71c1c", true};
  return {text, "#6a1b9a", true};
}

// vcl, vdl, scl, pgcl, epoch, truncate, recovery: `VDL 1007`, `epoch 2`. The point is the
// `lsn` or `value` field, or the field named like the kind (`epoch`), or else every field.
inline label_line lsn_point_line(const event& value) {
  const bool paper_point = value.kind == kind::vcl || value.kind == kind::vdl ||
                           value.kind == kind::scl || value.kind == kind::pgcl;
  std::string text;
  for (const char c : value.kind) {
    text += paper_point ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
  }
  std::string point = field_text(value, key::lsn);
  if (point.empty()) point = field_text(value, key::value);
  if (point.empty()) point = field_text(value, value.kind);
  if (point.empty()) point = fields_text(value);
  if (!point.empty()) text += ' ' + point;
  const bool volume_point = value.kind == kind::vcl || value.kind == kind::vdl;
  return {text, volume_point ? "#0d47a1" : "#37474f", volume_point};
}

inline bool is_lsn_point(std::string_view of) {
  return of == kind::vcl || of == kind::vdl || of == kind::scl || of == kind::pgcl ||
         of == kind::epoch || of == kind::truncate || of == kind::recovery;
}

// True for the events that are drawn as the ends of arrows rather than as text.
inline bool is_message_end(const event& value) {
  if (value.message_id == 0) return false;
  return value.kind == kind::send || value.kind == kind::deliver || value.kind == kind::drop ||
         value.kind == kind::ack;
}

constexpr std::size_t label_width = 30;  // characters per line of a node label
constexpr std::size_t label_limit = 90;  // a field list longer than this is cut ("...")

// Adds the line wrapped to `width`; empty parts are left out (Graphviz rejects an empty <font>).
inline void add_wrapped(std::vector<label_line>& lines, const label_line& line, std::size_t width) {
  for (std::string& part : wrap(line.text, width)) {
    if (!part.empty()) lines.push_back({std::move(part), line.color, line.bold});
  }
}

// Adds a field list in at most two lines where its words allow: lines of `label_width`
// characters when two of them are enough, wider ones otherwise; cut beyond `label_limit`.
inline void add_two_lines(std::vector<label_line>& lines, label_line line) {
  if (line.text.size() > label_limit) line.text = utf8_prefix(line.text, label_limit - 3) + "...";
  std::size_t width = label_width;
  while (width < line.text.size() && wrap(line.text, width).size() > 2) ++width;
  add_wrapped(lines, line, width);
}

// The text lines an event contributes to its node (none for the ends of message arrows).
inline void add_event_lines(std::vector<label_line>& lines, const event& value) {
  constexpr std::size_t width = label_width;
  if (is_message_end(value)) return;
  if (value.kind == kind::violation) {
    add_wrapped(lines, {"VIOLATION " + field_text(value, key::invariant), "#b71c1c", true}, width);
    add_wrapped(lines, {field_text(value, key::reason), "#b71c1c", false}, width);
  } else if (value.kind == kind::fault) {
    std::string text = field_text(value, key::fault);
    if (text.empty()) text = "fault " + fields_text(value);
    add_wrapped(lines, {text, "#000000", true}, width);
  } else if (value.kind == kind::ack) {
    std::string text = "ack from " + field_text(value, key::from);
    const std::string lsn = field_text(value, key::lsn);
    if (!lsn.empty()) text += " lsn " + lsn;
    add_wrapped(lines, {text, "#1b5e20", false}, width);
  } else if (value.kind == kind::dns) {
    // `DNS cluster -> db1 (5s)`: the answer a client will use for that long.
    add_wrapped(lines,
                {"DNS " + field_text(value, "endpoint") + " -> " + field_text(value, "answer") +
                     " (" + field_text(value, "kept_for") + ")",
                 "#00695c", true},
                width);
  } else if (is_history_kind(value.kind)) {
    add_wrapped(lines, client_line(value), width);
  } else if (is_lsn_point(value.kind)) {
    add_two_lines(lines, lsn_point_line(value));
  } else {
    add_two_lines(lines, {value.kind + ' ' + fields_text(value), "#37474f", false});
  }
}

}  // namespace aurora::trace::dot_detail
