// A scenario as a value: the abstract syntax of the scenario language.
//
// The scenario language (docs/scenario-language.md, version 1)
// is how a run is written down: a header (`seed`, `config`), then timed steps, each a client
// operation (`write`, `read`), a fault (`aurora/sim/fault.hpp`: crash, partition, loss ...) or
// an action of the control plane (`aurora/ops/action.hpp`: failover), with an optional client
// (`as`) and an optional outcome (`expect`). This header holds only the data: `scenario_parser.hpp`
// turns text into it and `scenario_printer.hpp` turns it back into canonical text, so that a
// scenario shrunk by a property test can be saved, replayed and read aloud. Faults and actions are
// the values of `aurora/sim/fault.hpp` and `aurora/ops/action.hpp`, which already print in the
// language.
//
// It also answers "which names exist for this configuration" (storage nodes `a1..cN`, instances
// `db1..db(1+replicas)`, AZs `a b c`), which the parser uses to reject unknown names.
// It deliberately knows nothing about running a scenario: that is the runner's job.
// Project extensions (the `variant` key, whose values are db/teaching_variant.hpp's; loss,
// duplicate, delay, slow) and every bound are documented in docs/scenario-extensions.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/db/instance_spec.hpp"
#include "aurora/db/limits.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/ops/client_options.hpp"
#include "aurora/ops/endpoint.hpp"
#include "aurora/ops/proxy_timing.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/storage/placement.hpp"

namespace aurora::harness {

// Named bounds of the language: a scenario that exceeds one is rejected with a message. They
// are chosen so that whatever the parser accepts runs to a verdict: no accepted value reaches a
// limit of the model at run time (docs/scenario-extensions.md, "Limits", says why each is what
// it is).
struct scenario_limits {
  static constexpr std::size_t max_bytes = 16u << 20;  // 16 MiB of text
  // Also the most operations one client can have queued (db::client::queue_max is at least this).
  static constexpr std::size_t max_steps = 100'000;
  static constexpr std::size_t max_puts_per_write = 1'000;
  static constexpr std::size_t max_clients = 10'000;  // distinct clients, the default c1 included
  static constexpr std::size_t max_keys = 10'000;     // distinct keys, written or read
  static constexpr std::size_t max_name_length = 64;
  static constexpr std::size_t max_errors = 20;  // the parser stops reporting after this many
  // Any duration, and so any step time: 400 days, long enough for scenarios that span
  // weeks, and so far below 2^63 microseconds (292,000 years) that sums of a few
  // durations cannot overflow. A run costs wall time in proportion to its simulated span (idle
  // gossip: about 6,300 events per simulated second per protection group).
  static constexpr sim::duration max_duration = sim::s(400LL * 24 * 60 * 60);
  // op_timeout: the run waits this long after its last step, so it costs like a step that late.
  static constexpr sim::duration max_op_timeout = sim::s(3'600);
  // `delay` and `slow`: every message sent meanwhile stays in flight this much longer, and
  // messages in flight hold memory (about 0.5 GB for 10s with 64 protection groups).
  static constexpr sim::duration max_message_delay = sim::s(10);
  // LSN allocation limit: each recovery moves the next LSN up by at most LAL, so 64-bit LSN
  // arithmetic stays exact for billions of recoveries (the model's own bound, db/limits.hpp).
  static constexpr auto max_lal = static_cast<std::int64_t>(db::max_lal);
  static constexpr int max_protection_groups = storage::max_protection_groups;  // 64
  // A protection group has two segments in each AZ, so an AZ needs two nodes; at most 9 keeps
  // node names one letter and one digit (a1..c9).
  static constexpr int min_nodes_per_az = 2;
  static constexpr int max_nodes_per_az = storage::max_nodes_per_az;  // 9
  static constexpr int max_replicas = db::max_replicas;               // the language: db2..db16
  // The control plane's timings: at most a day (beyond that, a scenario means `failover=manual`).
  static constexpr sim::duration max_control_plane_time = sim::s(24 * 60 * 60);
};

// The `config` keys. Defaults are the language's; `lal` unset means the model's own default.
struct config {
  int protection_groups = 1;
  int nodes_per_az = 2;
  int replicas = 0;                      // read replicas: instances db2..db(1+replicas)
  sim::duration op_timeout = sim::s(1);  // how long a client waits for an answer
  std::optional<std::int64_t> lal;       // LSN allocation limit: no LSN above VDL + lal
  db::teaching_variant variant = db::teaching_variant::safe;  // extension: `variant=<name>`
  bool manual_failover = false;                               // `failover=manual`; default `auto`
  sim::duration detection_time = sim::s(10);     // until the control plane acts on a lost writer
  sim::duration recreate_time = sim::s(5 * 60);  // with no replica: until the writer is recreated
  sim::duration dns_ttl = ops::default_dns_ttl;  // the TTL of the endpoints' DNS records
  sim::duration promotion_time{};   // from a failover's decision until the target is back up
  sim::duration dns_propagation{};  // until a new writer's DNS record reaches the resolvers
  sim::duration proxy_borrow_timeout = ops::proxy_timing{}.borrow_timeout;  // the proxy's queue
  // `client <name> dns= via=` statements, by client name; only clients with some non-default
  // option are kept, so equal meanings compare equal.
  std::map<std::string, ops::client_options, std::less<>> clients;
  // `instance dbN az= tier= size=` statements, by instance number; only what differs from the
  // default (round-robin AZ, tier 1, size 1) is kept, so equal meanings compare equal.
  std::map<int, db::instance_spec> instances;
  bool operator==(const config&) const = default;

  // Instance `number`'s placement and rank, its AZ filled in.
  [[nodiscard]] db::instance_spec instance(int number) const {
    db::instance_spec found;
    if (const auto given = instances.find(number); given != instances.end()) found = given->second;
    if (found.az == 0) found.az = db::round_robin_az(number);
    return found;
  }
};

// The duration a `config` key of kind duration sets (its name is one of the vocabulary's).
inline sim::duration& duration_setting(config& settings, std::string_view key) {
  if (key == "detection_time") return settings.detection_time;
  if (key == "recreate_time") return settings.recreate_time;
  if (key == "dns_ttl") return settings.dns_ttl;
  if (key == "promotion_time") return settings.promotion_time;
  if (key == "dns_propagation") return settings.dns_propagation;
  if (key == "proxy_borrow_timeout") return settings.proxy_borrow_timeout;
  return settings.op_timeout;
}
inline sim::duration duration_setting(const config& settings, std::string_view key) {
  return duration_setting(const_cast<config&>(settings), key);
}

// The production cluster: the one a scenario's `config` describes, and the default of `on`.
inline constexpr std::string_view main_cluster = "main";

// `write x=1 y=2 [to dbN] [hold <duration>]`: one transaction writing those keys, in the order
// written, through the cluster endpoint or (`to`) one instance's endpoint (a replica refuses
// it); with `hold`, the transaction stays open that long before it asks to commit (a
// long-running transaction: op_timeout counts from the commit request).
struct write_op {
  static constexpr std::string_view verb = "write";
  std::vector<std::pair<std::string, std::int64_t>> puts;
  std::optional<std::string> to{};
  sim::duration hold{};                        // 0: commits at once
  std::string on = std::string(main_cluster);  // `on <cluster>`: whose endpoints
  bool operator==(const write_op&) const = default;
};

// `read x`, `read x from db2`, `read x from reader`.
struct read_op {
  static constexpr std::string_view verb = "read";
  std::string key;
  ops::endpoint from{};  // `from dbN`: an instance; `from reader`; none: the cluster endpoint
  std::string on = std::string(main_cluster);  // `on <cluster>`: whose endpoints
  bool operator==(const read_op&) const = default;
};

// What a step does: a client operation, a fault of the world, or an action of the control plane.
using action = std::variant<write_op, read_op, sim::fault, ops::action>;

// `expect ok | unavailable | refused | <int> | none` for a client operation. `unavailable`: not
// acknowledged within op_timeout (no answer, or an error); `refused`: answered with an error,
// so it certainly did not take effect (history `fail`). An operational step with an outcome
// (ops::has_outcome: `clone`) expects `completed` or `refused` (it did nothing).
struct expectation {
  enum class kind { ok, unavailable, value, none, refused, completed };
  kind what = kind::ok;
  std::int64_t value = 0;  // meaningful only when `what == kind::value`
  bool operator==(const expectation& other) const {
    return what == other.what && (what != kind::value || value == other.value);
  }
};

// `at <time> <action> [as <client>] [expect <outcome>]`.
struct step {
  sim::time_point at;
  action what;
  std::optional<std::string> as_client;  // none: the default client `c1`
  std::optional<expectation> expect;
  int line = 0;  // source line (1-based) when parsed, 0 when built; not part of equality
  bool operator==(const step& other) const {
    return at == other.at && what == other.what && as_client == other.as_client &&
           expect == other.expect;
  }
};

struct scenario {
  std::optional<std::uint64_t> seed;  // the command line's --seed overrides it
  config settings;
  std::vector<step> steps;
  bool operator==(const scenario&) const = default;
};

inline constexpr std::string_view default_client = "c1";
// The client the final check runs its own operations as (harness/runner.hpp); no step may use it.
inline constexpr std::string_view final_check_client = "final-check";

inline std::string_view client_of(const step& value) {
  return value.as_client ? std::string_view(*value.as_client) : default_client;
}

inline bool is_client_operation(const action& value) {
  return std::holds_alternative<write_op>(value) || std::holds_alternative<read_op>(value);
}

// The failover a step asks for, if it is one.
inline const ops::failover* failover_of(const action& value) {
  const auto* operation = std::get_if<ops::action>(&value);
  return operation == nullptr ? nullptr : std::get_if<ops::failover>(operation);
}

// ---- Names -------------------------------------------------------------------------------------

// `[a-z][a-z0-9_-]*`, at most `max_name_length` characters: keys and client names.
inline bool is_name(std::string_view text) {
  if (text.empty() || text.size() > scenario_limits::max_name_length) return false;
  if (text[0] < 'a' || text[0] > 'z') return false;
  for (const char each : text) {
    const bool ok =
        (each >= 'a' && each <= 'z') || (each >= '0' && each <= '9') || each == '_' || each == '-';
    if (!ok) return false;
  }
  return true;
}

inline bool is_az_letter(std::string_view text) {
  return text == "a" || text == "b" || text == "c";
}

namespace detail {
// The number after `prefix` in `text` if it is a positive decimal without leading zero, up to
// `max` (small, so no overflow); 0 otherwise.
inline int name_index(std::string_view text, std::string_view prefix, int max) {
  if (text.size() <= prefix.size() || text.substr(0, prefix.size()) != prefix) return 0;
  const std::string_view digits = text.substr(prefix.size());
  if (digits.size() > 2 || digits[0] < '1' || digits[0] > '9') return 0;
  int index = 0;
  for (const char each : digits) {
    if (each < '0' || each > '9') return 0;
    index = index * 10 + (each - '0');
  }
  return index <= max ? index : 0;
}
}  // namespace detail

// `a1..aN b1..bN c1..cN` with N = nodes_per_az.
inline bool is_storage_node(const config& settings, std::string_view text) {
  if (text.empty() || !is_az_letter(text.substr(0, 1))) return false;
  return detail::name_index(text, text.substr(0, 1), settings.nodes_per_az) != 0;
}

// `db1` (the first writer) .. `db(1+replicas)`.
inline bool is_instance(const config& settings, std::string_view text) {
  return detail::name_index(text, "db", 1 + settings.replicas) != 0;
}

inline std::vector<std::string> storage_node_names(const config& settings) {
  std::vector<std::string> names;
  for (const char az : {'a', 'b', 'c'}) {
    for (int index = 1; index <= settings.nodes_per_az; ++index) {
      names.push_back(std::string(1, az) + std::to_string(index));
    }
  }
  return names;
}

inline std::vector<std::string> instance_names(const config& settings) {
  std::vector<std::string> names;
  for (int index = 1; index <= 1 + settings.replicas; ++index) {
    names.push_back("db" + std::to_string(index));
  }
  return names;
}

// A crash/restart/partition target that exists in this configuration.
inline bool is_valid_target(const config& settings, const sim::target& value) {
  if (value.is_az) return is_az_letter(value.name);
  return is_storage_node(settings, value.name) || is_instance(settings, value.name);
}

// The AZ a valid storage node or instance lives in: a node's first letter; an instance's is
// its `instance` statement's or round robin (db1 in a, db2 in b, db3 in c, db4 in a, ...).
inline char az_of(const config& settings, std::string_view participant) {
  if (const int number = detail::name_index(participant, "db", 1 + settings.replicas)) {
    return settings.instance(number).az;
  }
  return participant.empty() ? '\0' : participant[0];
}

// True when two valid partition members name a common participant (`az a` covers `a1`, and
// `db1` unless an `instance` statement places it elsewhere).
inline bool targets_overlap(const config& settings, const sim::target& left,
                            const sim::target& right) {
  if (left.is_az == right.is_az) return left.name == right.name;
  const sim::target& az = left.is_az ? left : right;
  const sim::target& node = left.is_az ? right : left;
  return !node.name.empty() && !az.name.empty() && az_of(settings, node.name) == az.name[0];
}

}  // namespace aurora::harness
