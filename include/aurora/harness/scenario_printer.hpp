// The scenario printer: a `scenario` value back to canonical scenario-language text.
//
// It writes the statements of docs/scenario-language.md ("Header statements", "Steps", "Outcomes")
// in one canonical form: the `seed` line if any, one `config` line with every non-default key in
// a fixed order (protection_groups, nodes_per_az, replicas, op_timeout, lal, variant), then one
// `at <time> <action> [as <client>] [expect <outcome>]` line per step, single spaces, no
// comments. Faults and durations print through `sim::to_string`, so a fault reads the same
// everywhere. For every scenario the parser accepts, parsing the printed text gives back an
// equal scenario (tests/harness/scenario_fuzz.cpp and the roundtrip property check this);
// a hand-built scenario the parser would reject (an empty write, a bad name) prints as text the
// parser rejects too.
#pragma once

#include <string>
#include <variant>

#include "aurora/harness/scenario.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness {

// "config replicas=2 op_timeout=500ms", or "" when every key has its default.
inline std::string print_config(const config& settings) {
  const config defaults;
  std::string text;
  const auto add = [&text](const std::string& key, const std::string& value) {
    text += " " + key + "=" + value;
  };
  if (settings.protection_groups != defaults.protection_groups) {
    add("protection_groups", std::to_string(settings.protection_groups));
  }
  if (settings.nodes_per_az != defaults.nodes_per_az) {
    add("nodes_per_az", std::to_string(settings.nodes_per_az));
  }
  if (settings.replicas != defaults.replicas) add("replicas", std::to_string(settings.replicas));
  if (settings.op_timeout != defaults.op_timeout) {
    add("op_timeout", sim::to_string(settings.op_timeout));
  }
  if (settings.lal) add("lal", std::to_string(*settings.lal));
  if (settings.variant != defaults.variant)
    add("variant", std::string(db::to_string(settings.variant)));
  return text.empty() ? text : "config" + text;
}

// "ok", "unavailable", "none" or the value.
inline std::string print_expectation(const expectation& value) {
  switch (value.what) {
    case expectation::kind::ok: return "ok";
    case expectation::kind::unavailable: return "unavailable";
    case expectation::kind::none: return "none";
    case expectation::kind::value: return std::to_string(value.value);
  }
  return "ok";
}

namespace detail {
struct action_printer {
  std::string operator()(const write_op& value) const {
    std::string text = "write";
    for (const auto& [key, number] : value.puts) text += " " + key + "=" + std::to_string(number);
    return text;
  }
  std::string operator()(const read_op& value) const {
    return "read " + value.key + (value.from ? " from " + *value.from : std::string());
  }
  std::string operator()(const sim::fault& value) const { return sim::to_string(value); }
  std::string operator()(const ops::action& value) const { return ops::to_string(value); }
};
}  // namespace detail

// "write x=1 y=2", "read x from db2", "partition az a | b1", ...
inline std::string print_action(const action& value) {
  return std::visit(detail::action_printer{}, value);
}

// "at 40ms read x as c2 expect 1" (no newline).
inline std::string print_step(const step& value) {
  std::string text = "at " + sim::to_string(value.at) + " " + print_action(value.what);
  if (value.as_client) text += " as " + *value.as_client;
  if (value.expect) text += " expect " + print_expectation(*value.expect);
  return text;
}

// The whole scenario, one statement per line, each ending with a newline.
inline std::string print_scenario(const scenario& value) {
  std::string text;
  if (value.seed) text += "seed " + std::to_string(*value.seed) + "\n";
  const std::string settings = print_config(value.settings);
  if (!settings.empty()) text += settings + "\n";
  for (const step& each : value.steps) text += print_step(each) + "\n";
  return text;
}

}  // namespace aurora::harness
