// The scenario printer: a `scenario` value back to canonical scenario-language text.
//
// It writes the statements of docs/scenario-language.md ("Header statements", "Steps", "Outcomes")
// in one canonical form: the `seed` line if any, one `config` line with every non-default key in
// the vocabulary's order (protection_groups, nodes_per_az, replicas, op_timeout, lal, variant:
// vocabulary.hpp), one `instance` line per instance placed or ranked otherwise than by default
// (in db order, only the keys that differ), then one `at <time> <action> [as <client>] [expect
// <outcome>]` line per step, single spaces, no comments. Faults, actions and durations print
// through `sim::to_string` and `ops::to_string`, so they read the same everywhere. For every
// scenario the parser accepts, parsing the printed text gives back an equal scenario
// (tests/harness/scenario_fuzz.cpp and the roundtrip property check this); a hand-built scenario
// the parser would reject (an empty write, a bad name) prints as text the parser rejects too.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "aurora/harness/scenario.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness {

// A config key's value as the language writes it, or none when the key has its default (or,
// for `lal`, is unset).
inline std::optional<std::string> config_value_text(const config& settings,
                                                    const config_key_info& key) {
  const config defaults;
  const auto differs = [](auto value, auto otherwise) -> std::optional<std::string> {
    if (value == otherwise) return std::nullopt;
    return std::to_string(value);
  };
  if (key.name == "protection_groups") {
    return differs(settings.protection_groups, defaults.protection_groups);
  }
  if (key.name == "nodes_per_az") return differs(settings.nodes_per_az, defaults.nodes_per_az);
  if (key.name == "replicas") return differs(settings.replicas, defaults.replicas);
  if (key.name == "lal") {
    return settings.lal ? std::optional(std::to_string(*settings.lal)) : std::nullopt;
  }
  if (key.kind == config_value_kind::duration) {
    const sim::duration value = duration_setting(settings, key.name);
    if (value == duration_setting(defaults, key.name)) return std::nullopt;
    return sim::to_string(value);
  }
  if (key.kind == config_value_kind::failover_policy) {
    if (settings.manual_failover == defaults.manual_failover) return std::nullopt;
    return std::string(settings.manual_failover ? "manual" : "auto");
  }
  if (settings.variant == defaults.variant) return std::nullopt;
  return std::string(db::to_string(settings.variant));
}

// "config replicas=2 op_timeout=500ms", or "" when every key has its default: the keys in the
// vocabulary's order (vocabulary.hpp, `config_keys`).
inline std::string print_config(const config& settings) {
  std::string text;
  for (const config_key_info& key : config_keys) {
    if (const auto value = config_value_text(settings, key)) {
      text += " " + std::string(key.name) + "=" + *value;
    }
  }
  return text.empty() ? text : "config" + text;
}

// "ok", "unavailable", "refused", "none", the value, or "completed".
inline std::string print_expectation(const expectation& value) {
  switch (value.what) {
    case expectation::kind::ok: return "ok";
    case expectation::kind::unavailable: return "unavailable";
    case expectation::kind::refused: return "refused";
    case expectation::kind::none: return "none";
    case expectation::kind::value: return std::to_string(value.value);
    case expectation::kind::completed: return "completed";
  }
  return "ok";
}

namespace detail {
struct action_printer {
  std::string operator()(const write_op& value) const {
    std::string text(write_op::verb);
    for (const auto& [key, number] : value.puts) text += " " + key + "=" + std::to_string(number);
    if (value.to) text += " to " + *value.to;
    if (value.hold > sim::us(0)) text += " hold " + sim::to_string(value.hold);
    return text + on(value.on);
  }
  std::string operator()(const read_op& value) const {
    return std::string(read_op::verb) + " " + value.key +
           (value.from.is_cluster() ? std::string() : " from " + ops::to_string(value.from)) +
           on(value.on);
  }
  // ` on dev1`; nothing for the production cluster, the default.
  static std::string on(const std::string& cluster) {
    return cluster == main_cluster ? std::string() : " on " + cluster;
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

// "instance db2 az=a tier=0 size=8": the keys that differ from the default, in that order.
inline std::string print_instance(int number, const db::instance_spec& spec) {
  std::string text = "instance db" + std::to_string(number);
  if (spec.az != 0) text += " az=" + std::string(1, spec.az);
  if (spec.tier != db::default_promotion_tier) text += " tier=" + std::to_string(spec.tier);
  if (spec.size != 1) text += " size=" + std::to_string(spec.size);
  return text;
}

// "client c2 dns=forever via=proxy": the options that differ from the default, in that order.
inline std::string print_client(const std::string& name, const ops::client_options& options) {
  std::string text = "client " + name;
  if (options.caching == ops::dns_caching::forever) text += " dns=forever";
  if (options.caching == ops::dns_caching::fixed)
    text += " dns=" + sim::to_string(options.cache_for);
  if (options.via == ops::client_path::proxy) text += " via=proxy";
  if (options.via == ops::client_path::smart) text += " via=smart";
  return text;
}

// The whole scenario, one statement per line, each ending with a newline.
inline std::string print_scenario(const scenario& value) {
  std::string text;
  if (value.seed) text += "seed " + std::to_string(*value.seed) + "\n";
  const std::string settings = print_config(value.settings);
  if (!settings.empty()) text += settings + "\n";
  for (const auto& [number, spec] : value.settings.instances) {
    text += print_instance(number, spec) + "\n";
  }
  for (const auto& [name, options] : value.settings.clients) {
    text += print_client(name, options) + "\n";
  }
  for (const step& each : value.steps) text += print_step(each) + "\n";
  return text;
}

}  // namespace aurora::harness
