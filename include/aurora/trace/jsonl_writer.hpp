// JSON Lines output of a recorded run (docs/trace-events.md).
//
// One event becomes one line: `{"t_us":<int>,"kind":"<kind>",` then the event's fields in the
// order they were recorded, so the key order is stable by construction and two runs with the
// same seed give the same bytes. Values map directly: null, integer, true/false, string, and a
// key -> integer-or-null object such as a client write's `{"x":1}`. No spaces are written.
//
// The writer is hand-written rather than built on a JSON library: a header-only toolkit pays for
// every include in every translation unit, and this format needs only escaping and integers.
// Each line is appended into one reused std::string and written with a single call.
// Deliberately left out: validating UTF-8 (strings are copied byte for byte; the model only
// writes ASCII) and reading JSON back (external checkers do that).
#pragma once

#include <charconv>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace {

namespace jsonl_detail {

inline void append_integer(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

// A JSON string literal: quote and backslash escaped, control characters as \u00xx.
inline void append_string(std::string& out, std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += hex_digits[byte >> 4];
      out += hex_digits[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

inline void append_key_values(std::string& out, const key_values& values) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : values) {
    if (!first) out += ',';
    first = false;
    append_string(out, key);
    out += ':';
    if (value) {
      append_integer(out, *value);
    } else {
      out += "null";
    }
  }
  out += '}';
}

inline void append_value(std::string& out, const field_value& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    out += "null";
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    append_integer(out, *integer);
  } else if (const auto* boolean = std::get_if<bool>(&value)) {
    out += *boolean ? "true" : "false";
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    append_string(out, *text);
  } else {
    append_key_values(out, std::get<key_values>(value));
  }
}

}  // namespace jsonl_detail

// Appends the event as one JSON object, without a trailing newline.
inline void append_jsonl(std::string& out, const event& value) {
  out += '{';
  jsonl_detail::append_string(out, key::t_us);
  out += ':';
  jsonl_detail::append_integer(out, value.t.count_us());
  out += ',';
  jsonl_detail::append_string(out, key::kind);
  out += ':';
  jsonl_detail::append_string(out, value.kind);
  for (const field& entry : value.fields) {
    out += ',';
    jsonl_detail::append_string(out, entry.key);
    out += ':';
    jsonl_detail::append_value(out, entry.value);
  }
  out += '}';
}

// The event as one JSON Lines line, without a trailing newline.
[[nodiscard]] inline std::string to_jsonl(const event& value) {
  std::string line;
  append_jsonl(line, value);
  return line;
}

// Every recorded event, one line each, each line ending in '\n'.
inline void write_jsonl(const recorder& source, std::ostream& out) {
  std::string line;
  for (const event& value : source.events()) {
    line.clear();
    append_jsonl(line, value);
    line += '\n';
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
}

}  // namespace aurora::trace
