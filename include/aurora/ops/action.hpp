// Actions: operations a scenario asks the control plane to perform, as values.
//
// DESIGN §3, the operations layer. A fault (sim/fault.hpp) is something that happens *to* the
// world: a node crashes, a network link drops messages. An action is something an operator (or
// the control plane on its own) *does* to a cluster: a failover [P17 §4.3; UG: a replica is
// promoted by promotion tier, the new writer recovers the volume] and a clone; later a
// switchover, a restore, a backtrack. Like faults, actions are plain values that print exactly as
// the scenario language writes them (docs/scenario-language.md), so a shrunk counterexample reads
// as a scenario; `ops::deployment::apply` performs them.
//
// Adding an action: declare its value type here and add it to `action`; give it a `to_string`
// overload below and a `perform` overload in ops/deployment.hpp; declare its name, arguments and
// help text in harness/vocabulary.hpp (from which the parser, the printer's docs, the CLI help
// and the generators read it). The compiler points at every `std::visit` that still misses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace aurora::ops {

// `failover` or `failover to db2`: promote this instance, or the first other live instance in db
// order (the model's stand-in for promotion tiers). The old writer and the target restart.
struct failover {
  static constexpr std::string_view verb = "failover";
  std::optional<std::string> to;
  bool operator==(const failover&) const = default;
};

// `clone as dev1`: a fast clone of the production cluster `main` [UG "Aurora cloning"]: a new
// cluster `dev1` (its writer `dev1-db1`) on a new volume that starts from main's pages at its
// writer's VDL now. Refused while main has no open writer. Aurora shares the pages copy on
// write, up to 15 clones of a volume, then makes full copies; the model copies the image (a
// client cannot tell the difference) and says which one Aurora would make in the trace.
struct clone {
  static constexpr std::string_view verb = "clone";
  std::string name;
  bool operator==(const clone&) const = default;
};

using action = std::variant<failover, clone>;

inline std::string to_string(const failover& value) {
  return std::string(failover::verb) + (value.to ? " to " + *value.to : std::string());
}

inline std::string to_string(const clone& value) {
  return std::string(clone::verb) + " as " + value.name;
}

// An operational step that ends with an outcome of its own (`completed`, `refused`), which a
// scenario may `expect`; a failover always takes effect.
inline bool has_outcome(const action& value) { return std::holds_alternative<clone>(value); }

// The action as one scenario-language step, e.g. "failover to db2".
inline std::string to_string(const action& value) {
  return std::visit([](const auto& each) { return to_string(each); }, value);
}

}  // namespace aurora::ops
