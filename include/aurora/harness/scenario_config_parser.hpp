// The scenario parser's `config` keys: which keys exist, and each key's value with its bounds,
// both from the vocabulary (vocabulary.hpp, `config_keys`).
//
// docs/scenario-language.md, "Header statements", and docs/scenario-extensions.md (`lal`,
// `variant`, the bounds). A key may be set once per scenario; a value out of bounds is refused
// with the bounds in the message ("replicas must be between 0 and 15, not 16").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "aurora/db/teaching_variant.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_lexer.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness::detail {

// The entry of a config key that exists and is not set yet.
inline const config_key_info& check_config_key(
    const token& key, const std::map<std::string, int, std::less<>>& key_lines) {
  if (key.kind != token_kind::word) fail_expected(key, "a config key");
  const config_key_info* known = find_config_key(key.text);
  if (known == nullptr) {
    fail(key, "unknown config key " + describe(key) + ": expected " + config_key_list());
  }
  const auto previous = key_lines.find(key.text);
  if (previous != key_lines.end()) {
    fail(key, "config key '" + std::string(key.text) + "' is already set (line " +
                  std::to_string(previous->second) + ")");
  }
  return *known;
}

inline int parse_bounded(const token& value, std::string_view key, std::int64_t low,
                         std::int64_t high) {
  const std::int64_t number = parse_int64(value, "an integer for " + std::string(key));
  if (number < low || number > high) {
    fail(value, std::string(key) + " must be between " + std::to_string(low) + " and " +
                    std::to_string(high) + ", not " + std::to_string(number));
  }
  return static_cast<int>(number);
}

inline db::teaching_variant parse_variant(const token& value) {
  if (value.kind == token_kind::word) {
    if (const auto variant = db::parse_teaching_variant(value.text)) return *variant;
  }
  std::string known;
  for (const std::string_view name : db::teaching_variant_names) {
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  fail(value, "unknown variant " + describe(value) + ": expected one of " + known);
}

// An integer key's value, within its entry's bounds.
inline std::int64_t parse_integer_key(const token& value, const config_key_info& key) {
  if (key.name == "lal") {  // its message names the range as the model does
    const std::int64_t lal = parse_int64(value, "an integer for lal");
    if (lal < key.low || lal > key.high) {
      fail(value, "lal must be " + std::to_string(key.low) + ".." + std::to_string(key.high) +
                      ", not " + std::to_string(lal));
    }
    return lal;
  }
  return parse_bounded(value, key.name, key.low, key.high);
}

// A duration key's value, within its entry's bounds.
inline sim::duration parse_duration_key(const token& value, const config_key_info& key) {
  const std::string name(key.name);
  const sim::duration result = parse_bounded_duration(
      value, "a duration for " + name + ", e.g. 500ms", name, sim::us(key.high));
  if (result < sim::us(key.low)) fail(value, name + " must be positive, not 0");
  return result;
}

// `failover=auto|manual`: true for manual.
inline bool parse_failover_policy(const token& value) {
  if (value.kind == token_kind::word && value.text == "auto") return false;
  if (value.kind == token_kind::word && value.text == "manual") return true;
  fail(value, "failover must be auto or manual, not " + describe(value));
}

inline void set_config_value(config& settings, const config_key_info& key, const token& value) {
  if (key.kind == config_value_kind::variant_name) {
    settings.variant = parse_variant(value);
  } else if (key.kind == config_value_kind::failover_policy) {
    settings.manual_failover = parse_failover_policy(value);
  } else if (key.kind == config_value_kind::duration) {
    duration_setting(settings, key.name) = parse_duration_key(value, key);
  } else if (key.name == "protection_groups") {
    settings.protection_groups = static_cast<int>(parse_integer_key(value, key));
  } else if (key.name == "nodes_per_az") {
    settings.nodes_per_az = static_cast<int>(parse_integer_key(value, key));
  } else if (key.name == "replicas") {
    settings.replicas = static_cast<int>(parse_integer_key(value, key));
  } else {
    settings.lal = parse_integer_key(value, key);
  }
}

}  // namespace aurora::harness::detail
