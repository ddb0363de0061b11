// The language generator: any valid step and configuration of the scenario language, drawn from
// the vocabulary.
//
// Where the swarm generator (swarm_generator.hpp) draws *purposeful* runs (a fault mix, focus
// nodes, bursts aimed at a recovery), this one draws *any* text the parser must accept: every
// verb of the vocabulary (vocabulary.hpp) and every form of it, every config key anywhere in its
// bounds, names valid for the configuration (storage_node_names, instance_names: never written
// out by hand, so `nodes_per_az=3` gives a3, b3 and c3 too), keys and clients spelled like
// keywords, and durations up to their bounds. Like the swarm generator it is written on a draw
// source (draw_source.hpp): with rapidcheck's (property-tests/rc_source.hpp) its draws shrink,
// with `sim::random` a seed gives the same scenario everywhere. The round-trip and verdict
// properties (property-tests/scenario_roundtrip_property.cpp) run on it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/db/teaching_variant.hpp"
#include "aurora/harness/draw_source.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness::language {

using detail::draw_int;
using detail::pick;

// A value in [low, high], mostly a small round one: 0-2,000 of the unit (us, ms, s), else any.
template <draw_source source>
sim::duration draw_duration(source& draw, sim::duration low, sim::duration high) {
  sim::duration value;
  switch (draw.below(4)) {
    case 0: value = sim::us(draw.uniform(0, 2'000)); break;
    case 1: value = sim::ms(draw.uniform(0, 2'000)); break;
    case 2: value = sim::s(draw.uniform(0, 100)); break;
    default: value = sim::us(draw.uniform(low.count_us(), high.count_us())); break;
  }
  return std::clamp(value, low, high);
}

template <draw_source source>
sim::duration draw_duration(source& draw, const argument& bounds) {
  return draw_duration(draw, sim::us(bounds.low), sim::us(bounds.high));
}

// A 64-bit integer: a small one, or any of either sign up to INT64_MAX in size.
template <draw_source source>
std::int64_t draw_int64(source& draw) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  switch (draw.below(3)) {
    case 0: return draw.uniform(-100, 100);
    case 1: return static_cast<std::int64_t>(draw.below(static_cast<std::uint64_t>(max)) + 1);
    default: return -static_cast<std::int64_t>(draw.below(static_cast<std::uint64_t>(max))) - 1;
  }
}

// `[a-z][a-z0-9_-]*`, often a word the language also uses as a keyword (a key or a client may be
// spelled like one: its position decides).
template <draw_source source>
std::string draw_name(source& draw) {
  static const std::vector<std::string> keywords = {
      "as",          "expect", "from", "reader", "to", "az",  "write", "read", "heal", "ok", "none",
      "unavailable", "c1",     "seed", "config", "at", "db1", "a1",    "x",    "y",    "k-", "a_"};
  if (draw.percent(50)) return pick(draw, keywords);
  static constexpr std::string_view rest = "abcxyz0129_-";
  std::string name(1, static_cast<char>('a' + draw.below(26)));
  const auto length = draw.below(13);
  for (std::uint64_t index = 0; index < length; ++index) name += rest[draw.below(rest.size())];
  return name;
}

template <draw_source source>
std::string draw_storage_node(source& draw, const config& settings) {
  return pick(draw, storage_node_names(settings));
}

template <draw_source source>
std::string draw_instance(source& draw, const config& settings) {
  return pick(draw, instance_names(settings));
}

// An AZ's letter: a, b or c.
template <draw_source source>
std::string draw_az(source& draw) {
  return std::string(1, static_cast<char>('a' + draw.below(3)));
}

// A storage node, an instance, or `az X`.
template <draw_source source>
sim::target draw_target(source& draw, const config& settings) {
  switch (draw.below(3)) {
    case 0: return {draw_storage_node(draw, settings), false};
    case 1: return {draw_instance(draw, settings), false};
    default: return {draw_az(draw), true};
  }
}

// Two non-empty sets of targets that share no participant (`targets_overlap`).
template <draw_source source>
sim::partition draw_partition(source& draw, const config& settings) {
  sim::partition value;
  value.one_way = draw.percent(50);
  const auto count = 2 + draw.below(6);
  const auto overlaps = [&value, &settings](const sim::target& member) {
    for (const auto* side : {&value.left, &value.right}) {
      for (const sim::target& other : *side) {
        if (targets_overlap(settings, member, other)) return true;
      }
    }
    return false;
  };
  for (std::uint64_t index = 0; index < count; ++index) {
    sim::target member = draw_target(draw, settings);
    if (overlaps(member)) continue;
    (draw.percent(50) ? value.left : value.right).push_back(std::move(member));
  }
  if (value.left.empty() || value.right.empty()) {  // AZ a against AZ b: always valid
    value.left = {sim::target{"a", true}};
    value.right = {sim::target{"b", true}};
  }
  return value;
}

template <draw_source source>
int draw_percent(source& draw, const verb_info& verb) {
  const argument& bounds = *argument_of(verb, argument_kind::percent);
  return draw_int(draw, static_cast<int>(bounds.low), static_cast<int>(bounds.high));
}

// The clusters a scenario's steps have created so far (`clone as`), which later steps may name
// with `on`. A generator that draws steps one at a time, each parsed alone, passes none: it then
// draws no `on`.
struct drawn_clusters {
  std::vector<std::string> names;  // main is implicit
};

// A name for a new cluster: a drawn name, made unique among `known` (and never `main`).
template <draw_source source>
std::string draw_cluster_name(source& draw, const drawn_clusters* known) {
  std::string name = draw_name(draw);
  const auto taken = [&](const std::string& candidate) {
    if (candidate == main_cluster) return true;
    return known != nullptr &&
           std::find(known->names.begin(), known->names.end(), candidate) != known->names.end();
  };
  for (int suffix = 2; taken(name); ++suffix) name = draw_name(draw) + "-" + std::to_string(suffix);
  return name;
}

// The arguments of the fault or action `verb`, each by its kind and bounds in the vocabulary.
template <draw_source source>
action draw_arguments(source& draw, const verb_info& verb, const config& settings,
                      drawn_clusters* clusters = nullptr) {
  const std::string_view name = verb.name;
  if (name == sim::crash::verb) return sim::fault{sim::crash{draw_target(draw, settings)}};
  if (name == sim::restart::verb) return sim::fault{sim::restart{draw_target(draw, settings)}};
  if (name == sim::destroy::verb) {
    return sim::fault{sim::destroy{draw_storage_node(draw, settings)}};
  }
  if (name == sim::partition::verb) return sim::fault{draw_partition(draw, settings)};
  if (name == sim::heal::verb) return sim::fault{sim::heal{}};
  if (name == ops::failover::verb) {
    ops::failover value;
    if (draw.percent(50)) value.to = draw_instance(draw, settings);
    return ops::action{value};
  }
  if (name == ops::clone::verb) {
    ops::clone value{draw_cluster_name(draw, clusters)};
    if (clusters != nullptr) clusters->names.push_back(value.name);
    return ops::action{value};
  }
  if (name == sim::message_loss::verb) {
    return sim::fault{sim::message_loss{draw_percent(draw, verb)}};
  }
  if (name == sim::message_duplication::verb) {
    return sim::fault{sim::message_duplication{draw_percent(draw, verb)}};
  }
  if (name == sim::message_delay::verb) {
    const int percent = draw_percent(draw, verb);
    const argument& delay = *argument_of(verb, argument_kind::duration);
    return sim::fault{sim::message_delay{percent, draw_duration(draw, delay)}};
  }
  AURORA_ASSERT(name == sim::slow::verb, "every fault and action of the vocabulary is drawn");
  const std::string who =
      draw.percent(50) ? draw_storage_node(draw, settings) : draw_instance(draw, settings);
  const argument& delay = *argument_of(verb, argument_kind::duration);
  return sim::fault{sim::slow{who, draw_duration(draw, delay)}};
}

// A fault or an action: a verb of those groups, uniformly, then its arguments.
template <draw_source source>
action draw_fault_or_action(source& draw, const config& settings,
                            drawn_clusters* clusters = nullptr) {
  std::vector<const verb_info*> choices;
  for (const verb_info& each : verbs) {
    if (each.group != verb_group::client_operation) choices.push_back(&each);
  }
  return draw_arguments(draw, *pick(draw, choices), settings, clusters);
}

// `on <cluster>` for a client operation: main (the default) or a cluster drawn before.
template <draw_source source>
std::string draw_on(source& draw, const drawn_clusters* clusters) {
  if (clusters == nullptr || clusters->names.empty() || draw.percent(50)) {
    return std::string(main_cluster);
  }
  return pick(draw, clusters->names);
}

// 1-5 distinct keys, any 64-bit values.
template <draw_source source>
write_op draw_write(source& draw) {
  const auto count = 1 + draw.below(5);
  write_op value;
  while (value.puts.size() < count) {
    const std::string key = draw_name(draw);
    bool fresh = true;
    for (const auto& [each, number] : value.puts) fresh = fresh && each != key;
    if (fresh) value.puts.emplace_back(key, draw_int64(draw));
  }
  return value;
}

// Through the writer, a named instance, or the reader endpoint.
template <draw_source source>
read_op draw_read(source& draw, const config& settings) {
  read_op value{draw_name(draw), {}};
  switch (draw.below(3)) {
    case 0: break;
    case 1: value.from = ops::endpoint::instance(draw_instance(draw, settings)); break;
    default: value.from = ops::endpoint::reader(); break;
  }
  return value;
}

// None, ok, unavailable or refused; for a read also none or a value.
template <draw_source source>
std::optional<expectation> draw_expectation(source& draw, bool read) {
  using kind = expectation::kind;
  switch (draw.below(read ? 6 : 4)) {
    case 0: return std::nullopt;
    case 1: return expectation{kind::ok, 0};
    case 2: return expectation{kind::unavailable, 0};
    case 3: return expectation{kind::refused, 0};
    case 4: return expectation{kind::none, 0};
    default: return expectation{kind::value, draw_int64(draw)};
  }
}

// A step at `at`: a client operation (a third each: write, read) or a fault or an action.
template <draw_source source>
step draw_step(source& draw, const config& settings, sim::time_point at,
               drawn_clusters* clusters = nullptr) {
  step value;
  value.at = at;
  switch (draw.below(3)) {
    case 0: {
      write_op write = draw_write(draw);
      if (draw.percent(25)) write.to = draw_instance(draw, settings);
      if (draw.percent(15)) {
        write.hold = draw_duration(draw, sim::us(1), scenario_limits::max_op_timeout);
      }
      write.on = draw_on(draw, clusters);
      if (write.to && write.on != main_cluster) write.to = write.on + "-db1";
      value.what = std::move(write);
      break;
    }
    case 1: {
      read_op read = draw_read(draw, settings);
      read.on = draw_on(draw, clusters);
      if (read.from.is_instance() && read.on != main_cluster) {
        read.from = ops::endpoint::instance(read.on + "-db1");
      }
      value.what = std::move(read);
      break;
    }
    default: value.what = draw_fault_or_action(draw, settings, clusters); break;
  }
  if (is_client_operation(value.what)) {
    if (draw.percent(50)) value.as_client = draw_name(draw);
    value.expect = draw_expectation(draw, std::holds_alternative<read_op>(value.what));
  } else if (const auto* operation = std::get_if<ops::action>(&value.what);
             operation != nullptr && ops::has_outcome(*operation)) {
    using kind = expectation::kind;
    switch (draw.below(3)) {
      case 0: break;
      case 1: value.expect = expectation{kind::completed, 0}; break;
      default: value.expect = expectation{kind::refused, 0}; break;
    }
  }
  return value;
}

// The default configuration half the time; else every key anywhere in its bounds
// (vocabulary.hpp, `config_keys`), `lal` set half the time, and some instances placed and
// ranked by `instance` statements.
template <draw_source source>
config draw_config(source& draw) {
  config settings;
  if (draw.percent(50)) return settings;
  const auto bounds = [](std::string_view name) { return *find_config_key(name); };
  const auto integer = [&draw](const config_key_info& key) {
    return static_cast<int>(draw.uniform(key.low, key.high));
  };
  settings.protection_groups = integer(bounds("protection_groups"));
  settings.nodes_per_az = integer(bounds("nodes_per_az"));
  settings.replicas = integer(bounds("replicas"));
  const config_key_info& timeout = bounds("op_timeout");
  settings.op_timeout = draw_duration(draw, sim::us(timeout.low), sim::us(timeout.high));
  const config_key_info& lal = bounds("lal");
  if (draw.percent(50)) settings.lal = draw.uniform(lal.low, lal.high);
  settings.variant = *db::parse_teaching_variant(
      db::teaching_variant_names[draw.below(db::teaching_variant_names.size())]);
  settings.manual_failover = draw.percent(50);
  for (const std::string_view name :
       {"detection_time", "recreate_time", "dns_ttl", "promotion_time", "dns_propagation",
        "proxy_borrow_timeout"}) {
    const config_key_info& key = bounds(name);
    duration_setting(settings, name) = draw_duration(draw, sim::us(key.low), sim::us(key.high));
  }
  for (int number = 1; number <= 1 + settings.replicas; ++number) {
    if (!draw.percent(30)) continue;
    db::instance_spec spec;
    if (draw.percent(50)) spec.az = static_cast<char>('a' + draw.below(3));
    if (spec.az == db::round_robin_az(number)) spec.az = 0;  // as the parser keeps it
    spec.tier = static_cast<int>(draw.uniform(0, db::max_promotion_tier));
    spec.size = static_cast<int>(draw.uniform(1, db::max_instance_size));
    if (spec != db::instance_spec{}) settings.instances[number] = spec;
  }
  const auto clients = draw.below(4);
  for (std::uint64_t index = 0; index < clients; ++index) {
    ops::client_options options;
    options.caching = static_cast<ops::dns_caching>(draw.below(3));
    if (options.caching == ops::dns_caching::fixed) {
      options.cache_for = draw_duration(draw, sim::us(0), scenario_limits::max_duration);
    }
    options.via = static_cast<ops::client_path>(draw.below(3));
    if (options != ops::client_options{}) settings.clients[draw_name(draw)] = options;
  }
  return settings;
}

}  // namespace aurora::harness::language
