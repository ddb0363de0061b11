// JSON Lines output of a recorded run (docs/trace-events.md).
//
// A trace file is one JSON object per line. It starts with one `lane` record per lane of the
// recorder, in the recorder's order (the participants, with their AZ and role); then every event
// is one line, `{"t_us":<int>,"kind":"<kind>",` and the event's fields in the order they were
// recorded, and before the first event of each new scenario step a `step` record says which step
// the events that follow belong to. jsonl_reader.hpp reads a file back into a recorder.
//
// Values map directly: null, integer, true/false, string, and a key -> integer-or-null object
// such as a client write's `{"x":1}`. No spaces are written, keys keep the order they were
// recorded in (nlohmann::ordered_json), and two runs with the same seed give the same bytes.
// Two details keep the bytes of format version 1: every control character is written as \u00xx
// (nlohmann writes \b \f \n \r \t as short escapes), and invalid UTF-8, which the model never
// writes, becomes U+FFFD so that every line is valid JSON.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace {

namespace jsonl_detail {

using json = nlohmann::ordered_json;

inline json to_json(const key_values& values) {
  json object = json::object();
  for (const auto& [name, number] : values) {
    object[name] = number ? json(*number) : json(nullptr);
  }
  return object;
}

inline json to_json(const field_value& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean;
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* values = std::get_if<key_values>(&value)) return to_json(*values);
  return nullptr;
}

// A record's first two keys: its time and its kind.
inline json record_head(std::int64_t t_us, std::string_view kind_name) {
  json object = json::object();
  object[std::string(key::t_us)] = t_us;
  object[std::string(key::kind)] = kind_name;
  return object;
}

inline json event_json(const event& value) {
  json object = record_head(value.t.count_us(), value.kind);
  for (const field& entry : value.fields) object[entry.key] = to_json(entry.value);
  return object;
}

// `{"t_us":0,"kind":"lane","name":"a1","az":"a","role":"storage"}`; `az` is null for none.
inline json lane_json(const lane& each) {
  json object = record_head(0, kind::lane);
  object[std::string(key::name)] = each.name;
  object[std::string(key::az)] = each.az == 0 ? json(nullptr) : json(std::string(1, each.az));
  object[std::string(key::role)] = each.role;
  return object;
}

// `{"t_us":<time of the next event>,"kind":"step","step":<0-based index>}`.
inline json step_json(std::int64_t t_us, int step) {
  json object = record_head(t_us, kind::step);
  object[std::string(key::step)] = step;
  return object;
}

// The \u00xx escape that version 1 writes where nlohmann writes a short one ('n' ->
// "000a"), or none for the escapes both write alike (\" and \\).
inline std::string_view long_escape_code(char short_escape) {
  switch (short_escape) {
    case 'b': return "0008";
    case 'f': return "000c";
    case 'n': return "000a";
    case 'r': return "000d";
    case 't': return "0009";
    default: return {};
  }
}

// Appends the compact text of `value`, short escapes written long. In nlohmann's output every
// backslash starts an escape, so the character after it names the escape.
inline void append_json(std::string& out, const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] != '\\') continue;
    const std::string_view code = long_escape_code(text[++i]);
    if (code.empty()) {
      out += text[i];
    } else {
      out += 'u';
      out += code;
    }
  }
}

inline void write_line(std::ostream& out, std::string& line, const json& record) {
  line.clear();
  append_json(line, record);
  line += '\n';
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace jsonl_detail

// Appends the event as one JSON object, without a trailing newline.
inline void append_jsonl(std::string& out, const event& value) {
  jsonl_detail::append_json(out, jsonl_detail::event_json(value));
}

// The event as one JSON Lines line, without a trailing newline.
[[nodiscard]] inline std::string to_jsonl(const event& value) {
  std::string line;
  append_jsonl(line, value);
  return line;
}

// The whole trace: a `lane` record per lane, then every recorded event, each preceded by a
// `step` record when its step differs from the previous event's; each line ends in '\n'.
inline void write_jsonl(const recorder& source, std::ostream& out) {
  std::string line;
  for (const lane& each : source.lanes()) {
    jsonl_detail::write_line(out, line, jsonl_detail::lane_json(each));
  }
  int step = -1;
  for (const event& value : source.events()) {
    if (value.step != step) {
      step = value.step;
      jsonl_detail::write_line(out, line, jsonl_detail::step_json(value.t.count_us(), step));
    }
    jsonl_detail::write_line(out, line, jsonl_detail::event_json(value));
  }
}

}  // namespace aurora::trace
