// The vocabulary of the scenario language: every step verb and every config key, declared once.
//
// A verb is a client operation (`write`, `read`), a fault of the world (sim/fault.hpp: `crash`,
// `partition`, `loss` ...) or an action of the control plane (ops/action.hpp: `failover`). Each
// has one entry in `verbs` below: its name (the value type's own `verb`), its group, whether it
// is a project extension, its arguments (kinds and bounds), how it counts against the AZ+1 fault
// budget, and its forms with their help text. Each config key has one entry in `config_keys`:
// name, kind of value, bounds, default and help. Everything that speaks the language reads these
// tables instead of repeating them:
//  - the parser (scenario_parser.hpp and its parts): which verbs and keys exist, the bounds it
//    enforces, and the lists its error messages give;
//  - the printer (scenario_printer.hpp): the config keys, in this order;
//  - the fault budget (fault_budget.hpp): each fault's `budget_rule`;
//  - the generators (language_generator.hpp): a verb by its group, its arguments by kind and
//    bound;
//  - `aurora-harness vocabulary` (plain or `--markdown`) and the help of `check`; the markdown is
//    pasted in docs/scenario-language.md, and a CTest test fails when the two disagree.
// The order of `verbs` is the language's own (`unknown action 'X': expected write, read, crash,
// ...` lists them in it); the order of `config_keys` is the printer's.
//
// Adding a fault or an action: its value type (sim/fault.hpp or ops/action.hpp, with its `verb`),
// its entry here, its parse function (scenario_fault_parser.hpp), its handler (the network, or
// ops/deployment.hpp's `perform`). The static_asserts at the end catch a value type without an
// entry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "aurora/harness/scenario.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/fault.hpp"

namespace aurora::harness {

enum class verb_group { client_operation, fault, action };

// What an argument of a verb is.
enum class argument_kind {
  none,             // (an unused slot)
  key_value_pairs,  // `k=v [k=v ...]`: distinct keys, 64-bit integer values
  key,              // a key name
  endpoint,         // `from dbN` or `from reader` (optional)
  target,           // a storage node, an instance or `az X`
  storage_node,     // a storage node
  participant,      // a storage node or an instance
  partition_sides,  // `A | B` or `A -> B`: comma-separated targets that do not overlap
  failover_target,  // `to dbN` (optional)
  new_cluster,      // `as NAME`: the name of the cluster the step creates
  percent,          // `P%`, from `low` to `high`
  duration,         // a duration from `low` to `high` microseconds
};

// How a step counts against the fault budget of `fault_profile::safe` (fault_budget.hpp): the
// storage nodes it takes from the writer.
enum class budget_rule {
  none,               // a client operation
  takes_nothing,      // message faults, slowness, restarts, heal
  takes_named_nodes,  // the storage nodes it names (an AZ: its storage nodes)
  destroys_disk,      // the node, and a repair must be over first; never in `beyond`
  takes_far_side,     // the storage nodes on the other side from the writer, either way
  promotes,           // judged with the instance it makes the writer
};

struct argument {
  std::string_view name;  // as the forms write it: "X", "P", "D"
  argument_kind kind = argument_kind::none;
  std::int64_t low = 0;  // bounds of a percent, or of a duration in microseconds
  std::int64_t high = 0;
};

// One way of writing a verb, and what it does.
struct form {
  std::string_view syntax;  // empty: an unused slot
  std::string_view help;
};

struct verb_info {
  std::string_view name;
  verb_group group = verb_group::fault;
  bool extension = false;  // a project extension of version 1 of the language
  budget_rule budget = budget_rule::none;
  std::array<argument, 2> arguments{};
  std::array<form, 3> forms{};
};

namespace detail {
constexpr argument percent_argument{"P", argument_kind::percent, 0, 100};
constexpr argument delay_argument{"D", argument_kind::duration, 0,
                                  scenario_limits::max_message_delay.count_us()};
}  // namespace detail

// clang-format off
inline constexpr std::array<verb_info, 13> verbs = {{
    {write_op::verb, verb_group::client_operation, false, budget_rule::none,
     {{{"k=v", argument_kind::key_value_pairs, 1, scenario_limits::max_puts_per_write}}},
     {{{"write k=v [k=v ...]",
        "one transaction that writes those keys (integers) together, through the writer "
        "endpoint: it is acknowledged only when VDL covers its commit record, and then all of it "
        "is durable. A key may appear once per write; at most 1,000 keys"},
       {"write k=v ... to dbN",
        "the same, through that instance's endpoint: the writer commits it; a replica (or an "
        "instance that is recovering and not designated) answers with an error, `refused`"},
       {"write k=v ... hold D",
        "the transaction stays open D (at most 3600s) at the writer before it asks to commit, a "
        "long-running transaction; op_timeout counts from the commit request. If its writer "
        "stopped being the writer meanwhile it is rolled back (`refused`)"}}}},
    {read_op::verb, verb_group::client_operation, false, budget_rule::none,
     {{{"k", argument_kind::key}, {"from", argument_kind::endpoint}}},
     {{{"read k", "reads one key through the writer endpoint (the current writer)"},
       {"read k from dbN",
        "reads one key on that instance; a replica reads at the read point the writer last sent "
        "it, so it may lag"},
       {"read k from reader", "reads one key through the reader endpoint"}}}},
    {sim::crash::verb, verb_group::fault, false, budget_rule::takes_named_nodes,
     {{{"X", argument_kind::target}}},
     {{{"crash X",
        "X stops: a storage node, an instance, or `az a`/`az b`/`az c` (its storage nodes and "
        "instances). Its "
        "volatile state is lost; a storage node keeps its disk. Messages in flight to it are "
        "dropped, even if it restarts before they arrive. Crashing what is down changes "
        "nothing. An AZ stays down until `restart az X`: what is made in it meanwhile (a "
        "clone's instance, a proxy node) starts down"}}}},
    {sim::restart::verb, verb_group::fault, false, budget_rule::takes_nothing,
     {{{"X", argument_kind::target}}},
     {{{"restart X",
        "X comes back (same names as `crash`). A restarted instance that is the designated "
        "writer runs crash recovery; any other comes back as a replica. Restarting what is up "
        "changes nothing"}}}},
    {sim::destroy::verb, verb_group::fault, false, budget_rule::destroys_disk,
     {{{"N", argument_kind::storage_node}}},
     {{{"destroy N",
        "storage node N crashes and loses its disk for good (storage nodes only). The control "
        "plane puts a new, empty disk in place after 20ms; the replacement hydrates from its "
        "peers, and the PG's membership uses quorum sets of the old and the new member until it "
        "has caught up"}}}},
    {sim::partition::verb, verb_group::fault, false, budget_rule::takes_far_side,
     {{{"A, B", argument_kind::partition_sides}}},
     {{{"partition A | B",
        "messages between every member of A and every member of B are dropped, both ways. A "
        "and B are comma-separated lists of storage nodes, instances and `az X`; no member may "
        "appear twice, on both sides, or together with its own AZ. Clients cannot be "
        "partitioned"},
       {"partition A -> B", "the same, one way: only messages from A to B are dropped"}}}},
    {sim::heal::verb, verb_group::fault, false, budget_rule::takes_nothing, {},
     {{{"heal",
        "removes every partition (partitions add up until then); message faults and `slow` "
        "stay"}}}},
    {ops::failover::verb, verb_group::action, false, budget_rule::promotes,
     {{{"dbN", argument_kind::failover_target}}},
     {{{"failover",
        "the control plane makes another instance the writer: the live replica first in "
        "promotion order (lowest `tier`, then largest `size`, then lowest number). If none is "
        "up, nothing happens (trace event `failover-impossible`)"},
       {"failover to dbN",
        "the same, to that instance (any instance of the configuration, `db1` included)"}}}},
    {ops::clone::verb, verb_group::action, false, budget_rule::takes_nothing,
     {{{"NAME", argument_kind::new_cluster}}},
     {{{"clone as NAME",
        "a fast clone of `main`: a new cluster NAME (writer `NAME-db1`, no replica) that starts "
        "from main's data at its writer's VDL now; later writes on either side stay apart. "
        "`completed`, or `refused` while main has no open writer. Then `... on NAME` reaches "
        "it"}}}},
    {sim::message_loss::verb, verb_group::fault, true, budget_rule::takes_nothing,
     {{detail::percent_argument}},
     {{{"loss P%", "every message is dropped with probability P (`loss 0%` turns it off)"}}}},
    {sim::message_duplication::verb, verb_group::fault, true, budget_rule::takes_nothing,
     {{detail::percent_argument}},
     {{{"duplicate P%", "every delivered message is delivered twice with probability P"}}}},
    {sim::message_delay::verb, verb_group::fault, true, budget_rule::takes_nothing,
     {{detail::percent_argument, detail::delay_argument}},
     {{{"delay P% D", "with probability P a message takes D longer"}}}},
    {sim::slow::verb, verb_group::fault, true, budget_rule::takes_nothing,
     {{{"X", argument_kind::participant}, detail::delay_argument}},
     {{{"slow X D",
        "messages to and from one storage node or instance take D longer (`0us` makes it "
        "normal again)"}}}},
}};
// clang-format on

// The verb named `name`, or null.
constexpr const verb_info* find_verb(std::string_view name) {
  for (const verb_info& each : verbs) {
    if (each.name == name) return &each;
  }
  return nullptr;
}

// The entry of a step's value type (`sim::crash`, `ops::failover`, `write_op` ...).
template <class T>
constexpr const verb_info& verb_of() {
  return *find_verb(T::verb);
}

inline const verb_info& verb_of(const sim::fault& value) {
  return std::visit(
      [](const auto& each) -> const verb_info& {
        return verb_of<std::remove_cvref_t<decltype(each)>>();
      },
      value);
}

inline const verb_info& verb_of(const ops::action& value) {
  return std::visit(
      [](const auto& each) -> const verb_info& {
        return verb_of<std::remove_cvref_t<decltype(each)>>();
      },
      value);
}

inline const verb_info& verb_of(const action& value) {
  return std::visit(
      [](const auto& each) -> const verb_info& {
        using type = std::remove_cvref_t<decltype(each)>;
        if constexpr (std::is_same_v<type, sim::fault> || std::is_same_v<type, ops::action>) {
          return verb_of(each);
        } else {
          return verb_of<type>();
        }
      },
      value);
}

// The argument of `verb` of this kind (the first one), or null.
constexpr const argument* argument_of(const verb_info& verb, argument_kind kind) {
  for (const argument& each : verb.arguments) {
    if (each.kind == kind) return &each;
  }
  return nullptr;
}

// "write, read, crash, ... delay or slow": the verbs in the language's order.
inline std::string verb_list() {
  std::string text;
  for (std::size_t index = 0; index < verbs.size(); ++index) {
    if (index > 0) text += index + 1 == verbs.size() ? " or " : ", ";
    text += verbs[index].name;
  }
  return text;
}

// ---- Config keys ------------------------------------------------------------------------------

enum class config_value_kind { integer, duration, variant_name, failover_policy };

struct config_key_info {
  std::string_view name;
  config_value_kind kind = config_value_kind::integer;
  std::int64_t low = 0;  // integers; durations in microseconds
  std::int64_t high = 0;
  std::string_view default_text;  // as the docs show it
  bool extension = false;
  std::string_view help;
};

// clang-format off
inline constexpr std::array<config_key_info, 13> config_keys = {{
    {"protection_groups", config_value_kind::integer, 1, scenario_limits::max_protection_groups,
     "1", false,
     "how many protection groups (PGs) the volume has; each has six segments, two per AZ"},
    {"nodes_per_az", config_value_kind::integer, scenario_limits::min_nodes_per_az,
     scenario_limits::max_nodes_per_az, "2", false,
     "storage nodes in each AZ; PG 0 is always on `a1 a2 b1 b2 c1 c2`, further PGs are spread "
     "round-robin"},
    {"replicas", config_value_kind::integer, 0, scenario_limits::max_replicas, "0", false,
     "read replicas: the instances are `db1` (the first writer) to `db(1+replicas)`"},
    {"op_timeout", config_value_kind::duration, 1, scenario_limits::max_op_timeout.count_us(),
     "`1s`", false,
     "how long a client waits for an answer before the operation counts as unavailable"},
    {"lal", config_value_kind::integer, 1, scenario_limits::max_lal, "the model's default", false,
     "the LSN allocation limit: the writer allocates no LSN above VDL + LAL"},
    {"variant", config_value_kind::variant_name, 0, 0, "`safe`", true,
     "run an unsafe teaching variant, the model with one safety rule switched off "
     "([scenario-extensions.md §1](scenario-extensions.md#1-extensions) says what each "
     "breaks); `aurora-harness run --variant` overrides it"},
    {"failover", config_value_kind::failover_policy, 0, 0, "`auto`", false,
     "`auto`: the control plane detects a lost writer (down, or its AZ down) and promotes the "
     "live replica first by tier, then size, then name, or recreates the writer when none is "
     "up; `manual`: only `failover` steps change the writer"},
    {"detection_time", config_value_kind::duration, 0,
     scenario_limits::max_control_plane_time.count_us(), "`10s`", false,
     "how long a writer stays down before the control plane acts (a model choice: the user "
     "guide gives only the total, service back in under 60 s, often under 30 s)"},
    {"recreate_time", config_value_kind::duration, 0,
     scenario_limits::max_control_plane_time.count_us(), "`5min`", false,
     "with no replica to promote, how long until the lost writer is recreated (it then "
     "recovers the volume); the user guide says under 10 minutes"},
    {"dns_ttl", config_value_kind::duration, 0, scenario_limits::max_control_plane_time.count_us(),
     "`5s`", false,
     "the TTL of the endpoints' DNS records (Aurora's is 5 s): how long a `dns=ttl` client keeps "
     "an answer"},
    {"promotion_time", config_value_kind::duration, 0,
     scenario_limits::max_control_plane_time.count_us(), "`0s`", false,
     "from a failover's decision until the promoted instance is up again (it then recovers the "
     "volume); the user guide gives only the total, so the model's default puts it all in "
     "`detection_time`"},
    {"dns_propagation", config_value_kind::duration, 0,
     scenario_limits::max_control_plane_time.count_us(), "`0s`", false,
     "how long after a failover DNS still answers with the old writer (a new lookup gets the "
     "record of that long ago); the user guide gives no figure, so none by default"},
    {"proxy_borrow_timeout", config_value_kind::duration, 1,
     scenario_limits::max_control_plane_time.count_us(), "`120s`", false,
     "how long the proxy keeps a request queued while no writer is up before refusing it "
     "(RDS Proxy's ConnectionBorrowTimeout, 120 s by default)"},
}};
// clang-format on

// The config key named `name`, or null.
constexpr const config_key_info* find_config_key(std::string_view name) {
  for (const config_key_info& each : config_keys) {
    if (each.name == name) return &each;
  }
  return nullptr;
}

// "protection_groups, nodes_per_az, ... lal or variant".
inline std::string config_key_list() {
  std::string text;
  for (std::size_t index = 0; index < config_keys.size(); ++index) {
    if (index > 0) text += index + 1 == config_keys.size() ? " or " : ", ";
    text += config_keys[index].name;
  }
  return text;
}

// ---- Every value type has its entry ------------------------------------------------------------

namespace detail {
template <class variant_type, std::size_t... index>
constexpr bool every_alternative_has_a_verb(std::index_sequence<index...>) {
  return ((find_verb(std::variant_alternative_t<index, variant_type>::verb) != nullptr) && ...);
}
template <class variant_type>
constexpr bool every_alternative_has_a_verb() {
  return every_alternative_has_a_verb<variant_type>(
      std::make_index_sequence<std::variant_size_v<variant_type>>());
}
}  // namespace detail

static_assert(detail::every_alternative_has_a_verb<sim::fault>(),
              "every fault of sim/fault.hpp needs its entry in `verbs`");
static_assert(detail::every_alternative_has_a_verb<ops::action>(),
              "every action of ops/action.hpp needs its entry in `verbs`");
static_assert(find_verb(write_op::verb) != nullptr && find_verb(read_op::verb) != nullptr,
              "the client operations need their entries in `verbs`");
static_assert(verbs.size() ==
                  2 + std::variant_size_v<sim::fault> + std::variant_size_v<ops::action>,
              "every entry of `verbs` is a client operation, a fault or an action");

}  // namespace aurora::harness
