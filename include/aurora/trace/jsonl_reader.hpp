// Reading a JSON Lines trace (docs/trace-events.md) back into a recorder, so that a saved run
// can be drawn again without running it (`aurora-harness draw`).
//
// `lane` records become the recorder's lanes and `step` records set the step of the events that
// follow; every other line is an event. What the file does not spell out is derived from the
// event's fields, as the emitters record them: the lane it happens on, the other end of a
// message, and the message id (`derive_place`). Writing what was read gives the same bytes.
//
// Bad input never crashes: a line that is not a JSON object, an unknown kind, a missing or
// mistyped field throws `jsonl_error`, whose message starts with the line number ("line 7: ...").
#pragma once

#include <cstdint>
#include <istream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "aurora/sim/time.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace {

// A line of a trace that cannot be read; `line` is 1-based.
class jsonl_error : public std::runtime_error {
 public:
  jsonl_error(std::size_t line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what), line_(line) {}
  [[nodiscard]] std::size_t line() const { return line_; }

 private:
  std::size_t line_;
};

namespace jsonl_detail {

using json = nlohmann::ordered_json;

// A problem with one line; read_jsonl adds the line number.
struct bad_line {
  std::string what;
};

inline std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// An integer that fits in 64 bits (nlohmann keeps large positive ones unsigned).
inline bool is_int64(const json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return true;
  return value.is_number_unsigned() &&
         value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX);
}

inline std::int64_t int64_of(const json& value, std::string_view name) {
  if (!is_int64(value)) throw bad_line{in_quotes(name) + " must be an integer (64-bit)"};
  return value.get<std::int64_t>();
}

inline std::string string_of(const json& value, std::string_view name) {
  if (!value.is_string()) throw bad_line{in_quotes(name) + " must be a string"};
  return value.get<std::string>();
}

inline const json& member(const json& object, std::string_view name) {
  const auto found = object.find(std::string(name));
  if (found == object.end()) throw bad_line{"missing field " + in_quotes(name)};
  return *found;
}

// A key -> integer-or-null object, such as a client write's {"x":1}.
inline key_values key_values_of(const json& object, const std::string& name) {
  key_values values;
  for (const auto& [key_name, number] : object.items()) {
    if (!number.is_null() && !is_int64(number)) {
      throw bad_line{"field " + in_quotes(name) + ": " + in_quotes(key_name) +
                     " must be an integer or null"};
    }
    values.emplace_back(
        key_name, number.is_null() ? std::nullopt : std::optional(number.get<std::int64_t>()));
  }
  return values;
}

inline field_value field_value_of(const json& value, const std::string& name) {
  if (value.is_null()) return std::monostate{};
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) return key_values_of(value, name);
  if (is_int64(value)) return value.get<std::int64_t>();
  throw bad_line{"field " + in_quotes(name) +
                 " must be null, an integer, true, false, a string or an object of integers"};
}

// The string field `name`, or empty when the event has none; a non-string is an error.
inline std::string text_field(const event& value, std::string_view name) {
  for (const field& entry : value.fields) {
    if (entry.key != name) continue;
    if (const auto* text = std::get_if<std::string>(&entry.value)) return *text;
    throw bad_line{in_quotes(name) + " must be a string"};
  }
  return {};
}

// Where an event happens, as the emitters record it (docs/trace-events.md): a message on its
// sender (send) or receiver (deliver, drop), with the other end as peer and `msg` as its id; a
// fault on the first lane it touched; a client operation or DNS answer on the client's lane;
// anything else on its `instance` or `node`, or on no lane (run-wide).
inline void derive_place(event& value) {
  const bool send = value.kind == kind::send;
  if (send || value.kind == kind::deliver || value.kind == kind::drop) {
    value.lane = text_field(value, send ? key::from : key::to);
    value.peer = text_field(value, send ? key::to : key::from);
    for (const field& entry : value.fields) {
      const auto* id = std::get_if<std::int64_t>(&entry.value);
      if (entry.key == key::msg && id != nullptr && *id > 0) value.message_id = *id;
    }
    if (value.message_id == 0) throw bad_line{in_quotes(key::msg) + " must be a positive integer"};
  } else if (value.kind == kind::fault) {
    const auto names = split_lane_names(text_field(value, key::lanes));
    if (!names.empty()) value.lane = names.front();
  } else if (is_history_kind(value.kind) || value.kind == kind::dns) {
    value.lane = std::string(client_lane_prefix) + text_field(value, key::process);
  } else {
    value.lane = text_field(value, key::instance);
    if (value.lane.empty()) value.lane = text_field(value, key::node);
  }
}

// `{"t_us":0,"kind":"lane","name":"a1","az":"a","role":"storage"}`.
inline lane lane_of(const json& record) {
  const json& az = member(record, key::az);
  const bool letter = az.is_string() && az.get<std::string>().size() == 1;
  if (!az.is_null() && !letter) throw bad_line{in_quotes(key::az) + " must be one letter or null"};
  return {string_of(member(record, key::name), key::name),
          letter ? az.get<std::string>()[0] : char{0},
          string_of(member(record, key::role), key::role)};
}

inline int step_of(const json& record) {
  const std::int64_t step = int64_of(member(record, key::step), key::step);
  if (step < -1 || step > std::numeric_limits<int>::max()) {
    throw bad_line{in_quotes(key::step) + " must be -1 or a step index"};
  }
  return static_cast<int>(step);
}

inline event event_of(const json& record, std::int64_t t_us, std::string kind_name) {
  event value;
  value.t = sim::us(t_us);
  value.kind = std::move(kind_name);
  for (auto it = std::next(record.begin(), 2); it != record.end(); ++it) {  // after t_us, kind
    value.fields.emplace_back(it.key(), field_value_of(it.value(), it.key()));
  }
  derive_place(value);
  return value;
}

// The first two keys, in order: `t_us` (an integer) and `kind` (a known kind).
inline std::pair<std::int64_t, std::string> head_of(const json& record) {
  auto it = record.begin();
  if (record.size() < 2 || it.key() != key::t_us || std::next(it).key() != key::kind) {
    throw bad_line{"a record starts with \"t_us\" and \"kind\""};
  }
  const std::int64_t t_us = int64_of(it.value(), key::t_us);
  std::string kind_name = string_of(std::next(it).value(), key::kind);
  if (!is_known_kind(kind_name)) throw bad_line{"unknown kind " + in_quotes(kind_name)};
  return {t_us, std::move(kind_name)};
}

// The line as a JSON object; nlohmann's message loses its own prefix and line (always 1).
inline json parse_line(const std::string& line) {
  try {
    json record = json::parse(line);
    if (!record.is_object()) throw bad_line{"not a JSON object"};
    return record;
  } catch (const json::parse_error& error) {
    const std::string what = error.what();
    const std::size_t message = what.find(": ", what.find("column"));
    throw bad_line{"malformed JSON at column " + std::to_string(error.byte) + ": " +
                   (message == std::string::npos ? what : what.substr(message + 2))};
  }
}

// Adds one line's record to the recorder: a lane, a step, or an event.
inline void read_line(recorder& into, const std::string& line) {
  const json record = parse_line(line);
  auto [t_us, kind_name] = head_of(record);
  if (kind_name == kind::lane) return into.add_lane(lane_of(record));
  if (kind_name == kind::step) return into.set_step(step_of(record));
  into.record(event_of(record, t_us, std::move(kind_name)));
}

}  // namespace jsonl_detail

// Reads a whole trace; throws jsonl_error at the first line it cannot read. The recorder comes
// back enabled, holding the file's lanes and events.
[[nodiscard]] inline recorder read_jsonl(std::istream& in) {
  recorder read;
  read.set_enabled(true);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    try {
      jsonl_detail::read_line(read, line);
    } catch (const jsonl_detail::bad_line& error) {
      throw jsonl_error(number, error.what);
    }
  }
  return read;
}

}  // namespace aurora::trace
