// rapidcheck as a draw source (include/aurora/harness/draw_source.hpp) of the project's
// generators: the swarm generator of the fault properties (fault_commands.hpp) and the language
// generator of the round-trip properties (scenario_roundtrip_property.cpp).
//
// Every draw is a shrinkable pick: `percent` shrinks towards false (no wait, a message fault
// switched off), `below` and `uniform` towards the low end (the first choice, the smallest
// value). Draws are uniform over their whole range whatever the case's size (`inRange` alone
// scales its range down with the size, which would favour the first kinds and the smallest
// values in small cases); the size bounds the number of commands or steps. Use it inside a
// `rc::gen::exec` or a property body, where `*gen` may be called.
#pragma once

#include <rapidcheck.h>

#include <cstdint>

#include "aurora/harness/draw_source.hpp"

namespace aurora::properties {

struct rc_source {
  std::uint64_t below(std::uint64_t bound) { return draw<std::uint64_t>(0, bound); }
  std::int64_t uniform(std::int64_t low, std::int64_t high) {
    if (high == INT64_MAX) {  // [low, high + 1) would overflow: draw [low - 1, high), shift up
      return draw<std::int64_t>(low - 1, high) + 1;
    }
    return draw<std::int64_t>(low, high + 1);
  }
  bool percent(int chance) {
    if (chance <= 0) return false;
    if (chance >= 100) return true;
    return below(100) >= static_cast<std::uint64_t>(100 - chance);
  }

 private:
  template <class T>
  static T draw(T low, T high_excluded) {
    return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(low, high_excluded));
  }
};

static_assert(harness::draw_source<rc_source>);

}  // namespace aurora::properties
