// The scenario parser's faults and actions: participant names checked against the
// configuration, crash/restart targets (`az b` too), partitions, message faults and failover.
//
// docs/scenario-language.md, "Names" and "Faults". Each function reads the tokens after the verb
// and returns the value (a `sim::fault` or an `ops::action`), or throws `syntax_error` with a
// message that says what the configuration allows ("unknown storage node 'a3': nodes_per_az=2
// gives a1..a2, b1..b2, c1..c2").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_lexer.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"

namespace aurora::harness::detail {

enum name_kinds : unsigned { storage_nodes = 1, instances = 2, azs = 4 };

inline bool looks_like_numbered(std::string_view text, std::string_view prefix) {
  return text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix &&
         is_integer_text(text.substr(prefix.size())) && text[prefix.size()] != '-';
}

inline bool looks_like_storage_node(std::string_view text) {
  return !text.empty() && is_az_letter(text.substr(0, 1)) &&
         looks_like_numbered(text, text.substr(0, 1));
}

// "a1..a2, b1..b2, c1..c2" for nodes_per_az = 2.
inline std::string storage_node_range(const config& settings) {
  std::string text;
  for (const char az : {'a', 'b', 'c'}) {
    if (!text.empty()) text += ", ";
    text += std::string(1, az) + "1";
    if (settings.nodes_per_az > 1) {
      text += ".." + std::string(1, az) + std::to_string(settings.nodes_per_az);
    }
  }
  return text;
}

inline std::string instance_range(const config& settings) {
  return settings.replicas == 0 ? "db1" : "db1..db" + std::to_string(1 + settings.replicas);
}

// What an action accepts, for messages: "a storage node (a1..a2, ...) or an instance (db1)".
inline std::string describe_kinds(const config& settings, unsigned kinds) {
  std::vector<std::string> parts;
  if (kinds & storage_nodes) {
    parts.push_back("a storage node (" + storage_node_range(settings) + ")");
  }
  if (kinds & instances) parts.push_back("an instance (" + instance_range(settings) + ")");
  if (kinds & azs) parts.push_back("an AZ (az a, az b, az c)");
  std::string text = parts.empty() ? std::string() : parts[0];
  for (std::size_t at = 1; at < parts.size(); ++at) {
    text += (at + 1 == parts.size() ? " or " : ", ") + parts[at];
  }
  return text;
}

// The message for a name that is not one of `kinds` in this configuration.
inline std::string unknown_name_message(const config& settings, std::string_view text,
                                        unsigned kinds, std::string_view action) {
  const std::string name = "'" + std::string(text) + "'";
  const std::string takes = std::string(action) + " takes " + describe_kinds(settings, kinds);
  if (is_storage_node(settings, text)) return takes + ", not the storage node " + name;
  if (is_instance(settings, text)) return takes + ", not the instance " + name;
  if ((kinds & storage_nodes) && looks_like_storage_node(text)) {
    return "unknown storage node " + name +
           ": nodes_per_az=" + std::to_string(settings.nodes_per_az) + " gives " +
           storage_node_range(settings);
  }
  if ((kinds & instances) && looks_like_numbered(text, "db")) {
    return "unknown instance " + name + ": replicas=" + std::to_string(settings.replicas) +
           " gives " + instance_range(settings);
  }
  return "unknown name " + name + ": " + takes;
}

// ---- Faults and actions ------------------------------------------------------------------------

// One participant name of `kinds` (no AZ) in this configuration.
inline std::string parse_name(const config& settings, const token& name, unsigned kinds,
                              std::string_view action) {
  if (name.kind != token_kind::word) fail_expected(name, describe_kinds(settings, kinds));
  const bool storage = (kinds & storage_nodes) && is_storage_node(settings, name.text);
  const bool instance = (kinds & instances) && is_instance(settings, name.text);
  if (storage || instance) return std::string(name.text);
  if (name.text == "az") {
    fail(name, std::string(action) + " takes " + describe_kinds(settings, kinds) + ", not an AZ");
  }
  fail(name, unknown_name_message(settings, name.text, kinds, action));
}

inline std::string parse_name(const config& settings, token_cursor& cursor, unsigned kinds,
                              std::string_view action) {
  return parse_name(settings, cursor.next(), kinds, action);
}

// A storage node, an instance, or `az X`.
inline sim::target parse_target(const config& settings, token_cursor& cursor,
                                std::string_view action) {
  if (!cursor.peek_word("az")) {
    return sim::target{parse_name(settings, cursor, storage_nodes | instances | azs, action),
                       false};
  }
  cursor.next();
  const token letter = cursor.next();
  if (letter.kind != token_kind::word || !is_az_letter(letter.text)) {
    fail(letter, "expected an AZ letter after 'az' (a, b or c), found " + describe(letter));
  }
  return sim::target{std::string(letter.text), true};
}

inline void check_overlap(const config& settings, const token& at, const sim::target& member,
                          const std::vector<sim::target>& others, std::string_view where) {
  for (const sim::target& other : others) {
    if (!targets_overlap(settings, member, other)) continue;
    const std::string name = "'" + sim::to_string(member) + "'";
    if (member == other) fail(at, name + " is already " + std::string(where));
    fail(at, name + " overlaps '" + sim::to_string(other) + "' " + std::string(where));
  }
}

// `<member>[,<member>...]` into the left or right set; no member may overlap another.
inline void parse_partition_set(const config& settings, token_cursor& cursor, sim::partition& value,
                                bool right) {
  std::vector<sim::target>& set = right ? value.right : value.left;
  do {
    const token first = cursor.peek();
    sim::target member = parse_target(settings, cursor, "partition");
    check_overlap(settings, first, member, set, "in this set");
    if (right) {
      check_overlap(settings, first, member, value.left, "on the other side of the partition");
    }
    set.push_back(std::move(member));
  } while (cursor.accept(token_kind::comma));
}

inline sim::fault parse_partition(const config& settings, token_cursor& cursor) {
  sim::partition value;
  parse_partition_set(settings, cursor, value, false);
  const token separator = cursor.next();
  if (separator.kind != token_kind::bar && separator.kind != token_kind::arrow) {
    fail_expected(separator, "',', '|' or '->' in the partition");
  }
  value.one_way = separator.kind == token_kind::arrow;
  parse_partition_set(settings, cursor, value, true);
  return value;
}

inline ops::failover parse_failover(const config& settings, token_cursor& cursor) {
  if (cursor.peek_word("to")) {
    cursor.next();
    return ops::failover{parse_name(settings, cursor, instances, "failover to")};
  }
  const token rest = cursor.peek();
  if (rest.kind == token_kind::word && rest.text != "as" && rest.text != "expect") {
    fail(rest, "expected 'to' or end of line after 'failover', found " + describe(rest) +
                   " (write: failover to " + std::string(rest.text) + ")");
  }
  return ops::failover{};
}

// The bound of a verb's duration argument (`delay`, `slow`), from the vocabulary.
inline sim::duration duration_bound(const verb_info& verb) {
  return sim::us(argument_of(verb, argument_kind::duration)->high);
}

// The arguments of a fault or an action whose verb (an entry of `verbs`) was just read.
inline action parse_fault(const config& settings, token_cursor& cursor, const verb_info& verb) {
  const std::string_view word = verb.name;
  if (word == sim::crash::verb) return sim::crash{parse_target(settings, cursor, word)};
  if (word == sim::restart::verb) return sim::restart{parse_target(settings, cursor, word)};
  if (word == sim::destroy::verb) {
    return sim::destroy{parse_name(settings, cursor, storage_nodes, word)};
  }
  if (word == sim::partition::verb) return sim::fault{parse_partition(settings, cursor)};
  if (word == sim::heal::verb) return sim::heal{};
  if (word == ops::failover::verb) return ops::action{parse_failover(settings, cursor)};
  if (word == sim::message_loss::verb) return sim::message_loss{parse_percent(cursor.next())};
  if (word == sim::message_duplication::verb) {
    return sim::message_duplication{parse_percent(cursor.next())};
  }
  if (word == sim::message_delay::verb) {
    const int percent = parse_percent(cursor.next());
    return sim::message_delay{percent, parse_bounded_duration(cursor.next(), "a delay, e.g. 5ms",
                                                              word, duration_bound(verb))};
  }
  AURORA_ASSERT(word == sim::slow::verb, "every fault and action of the vocabulary is parsed");
  std::string node = parse_name(settings, cursor, storage_nodes | instances, word);
  return sim::slow{std::move(node), parse_bounded_duration(cursor.next(), "a delay, e.g. 10ms",
                                                           word, duration_bound(verb))};
}

}  // namespace aurora::harness::detail
