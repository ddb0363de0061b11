// The scenario parser's `config` keys: which keys exist, and each key's value with its bounds.
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

namespace aurora::harness::detail {

inline constexpr std::string_view config_keys[] = {"protection_groups", "nodes_per_az", "replicas",
                                                   "op_timeout",        "lal",          "variant"};

inline void check_config_key(const token& key,
                             const std::map<std::string, int, std::less<>>& key_lines) {
  if (key.kind != token_kind::word) fail_expected(key, "a config key");
  bool known = false;
  for (const std::string_view each : config_keys) known = known || each == key.text;
  if (!known) {
    fail(key, "unknown config key " + describe(key) +
                  ": expected protection_groups, nodes_per_az, replicas, op_timeout, lal or "
                  "variant");
  }
  const auto previous = key_lines.find(key.text);
  if (previous != key_lines.end()) {
    fail(key, "config key '" + std::string(key.text) + "' is already set (line " +
                  std::to_string(previous->second) + ")");
  }
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

inline void set_config_value(config& settings, std::string_view key, const token& value) {
  if (key == "protection_groups") {
    settings.protection_groups =
        parse_bounded(value, key, 1, scenario_limits::max_protection_groups);
  } else if (key == "nodes_per_az") {
    settings.nodes_per_az = parse_bounded(value, key, scenario_limits::min_nodes_per_az,
                                          scenario_limits::max_nodes_per_az);
  } else if (key == "replicas") {
    settings.replicas = parse_bounded(value, key, 0, scenario_limits::max_replicas);
  } else if (key == "op_timeout") {
    settings.op_timeout = parse_bounded_duration(value, "a duration for op_timeout, e.g. 500ms",
                                                 "op_timeout", scenario_limits::max_op_timeout);
    if (settings.op_timeout <= sim::us(0)) fail(value, "op_timeout must be positive, not 0");
  } else if (key == "lal") {
    settings.lal = parse_int64(value, "an integer for lal");
    if (*settings.lal < 1 || *settings.lal > scenario_limits::max_lal) {
      fail(value, "lal must be 1.." + std::to_string(scenario_limits::max_lal) + ", not " +
                      std::to_string(*settings.lal));
    }
  } else {
    settings.variant = parse_variant(value);
  }
}

}  // namespace aurora::harness::detail
