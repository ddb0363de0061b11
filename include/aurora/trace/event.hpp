// One recorded event of a run.
//
// Every layer reports what happens (a message sent, a fault, VDL advancing, a client operation)
// as an `event`: a time, a kind, and an ordered list of fields. The order of `fields` is the key
// order of the JSON Lines output (docs/trace-events.md), so it is stable by construction. The
// structured members `lane`, `peer` and `message_id` are what the Graphviz writer needs to place
// the event on a lane and to draw a message as an arrow from its `send` to its `deliver`.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/sim/time.hpp"

namespace aurora::trace {

// A key -> integer-or-null map with a fixed order, e.g. a write's {"x":1,"y":2} or a read's
// {"x":null}.
using key_values = std::vector<std::pair<std::string, std::optional<std::int64_t>>>;

// A field value: null, integer, boolean, string, or a key -> integer map.
using field_value = std::variant<std::monostate, std::int64_t, bool, std::string, key_values>;

struct field {
  field() = default;
  // Takes the key as a view, so that the constants of schema.hpp can be passed as they are.
  field(std::string_view name, field_value content) : key(name), value(std::move(content)) {}
  // A string builds the value in place (no temporary variant to move from).
  template <class text>
    requires std::same_as<std::remove_cvref_t<text>, std::string> field(std::string_view name,
                                                                        text&& content)
        : key(name), value(std::forward<text>(content)) {}

    std::string key;
    field_value value;
};

// Builds an event's fields in place, in order, with no field moved or copied on the way:
//   field_list(2).add(key::msg, id).add(key::from, name).take()
class field_list {
 public:
  explicit field_list(std::size_t count) { fields_.reserve(count); }
  template <class content>
  field_list& add(std::string_view name, content&& value) {
    fields_.emplace_back(name, std::forward<content>(value));
    return *this;
  }
  [[nodiscard]] std::vector<field> take() { return std::move(fields_); }

 private:
  std::vector<field> fields_;
};

struct event {
  sim::time_point t;
  std::string kind;           // "send", "deliver", "drop", "fault", "vdl", "invoke", "ok", ...
  std::vector<field> fields;  // written after t_us and kind, in this order
  std::string lane;           // the participant it happens on; empty for run-wide events
  std::string peer;  // for messages: the other end (receiver of a send, sender of a deliver)
  std::uint64_t message_id = 0;  // links a send to its deliver or drop; 0 when not a message
  int step = -1;                 // the scenario step in progress (0-based), -1 before the first
};

}  // namespace aurora::trace
