// An event's fields as the DOT writer prints them: lookup by key, values as compact text
// (null as "none", a key -> value map as `x=1 y=2`), and every field as `key=value`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "aurora/trace/dot/text.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

inline const field_value* find_field(const event& value, std::string_view key) {
  for (const field& entry : value.fields) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

inline std::optional<std::int64_t> integer_field(const event& value, std::string_view key) {
  const field_value* found = find_field(value, key);
  if (found == nullptr) return std::nullopt;
  if (const auto* integer = std::get_if<std::int64_t>(found)) return *integer;
  return std::nullopt;
}

// A field value as compact text; `separator` joins the pairs of a key -> value map.
inline std::string value_text(const field_value& value, std::string_view separator = " ") {
  if (std::holds_alternative<std::monostate>(value)) return "none";
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? "true" : "false";
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  std::string text;
  for (const auto& [key, number] : std::get<key_values>(value)) {
    if (!text.empty()) text += separator;
    text += key;
    text += separator == " " ? "=" : " -> ";
    text += number ? std::to_string(*number) : "none";
  }
  return text;
}

inline std::string field_text(const event& value, std::string_view key) {
  const field_value* found = find_field(value, key);
  return found == nullptr ? std::string() : value_text(*found);
}

// Whether a field only repeats the name of the event's own lane (`instance=db1` on db1).
inline bool names_own_lane(const event& value, const field& entry) {
  const auto* text = std::get_if<std::string>(&entry.value);
  return text != nullptr && !value.lane.empty() && *text == value.lane;
}

// Every field as `key=value`, for kinds without a dedicated label; a field that names the
// event's own lane is left out, and a `step` is printed 1-based.
inline std::string fields_text(const event& value) {
  std::string text;
  for (const field& entry : value.fields) {
    if (names_own_lane(value, entry)) continue;
    if (!text.empty()) text += ' ';
    text += entry.key;
    text += '=';
    const auto* step = std::get_if<std::int64_t>(&entry.value);
    text += entry.key == key::step && step != nullptr ? step_text(*step) : value_text(entry.value);
  }
  return text;
}

}  // namespace aurora::trace::dot_detail
