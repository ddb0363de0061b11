// Draw sources: where a generator's random choices come from.
//
// The scenario generators of this project (the swarm generator of `aurora-harness explore` and
// of the fault properties, and the language-level generator of the round-trip property) are
// written once, as templates on a *draw source*, and run on two of them:
//  - `sim::random` (sim/random.hpp), the simulator's seeded PRNG: a seed gives the same steps
//    on every machine (explore);
//  - a rapidcheck source (property-tests/rc_source.hpp), where every draw is a shrinkable
//    `rc::gen::inRange` pick, so a failing case shrinks towards the first choice and the
//    smallest value.
// A draw source has `below(n)` (uniform in [0, n)), `uniform(low, high)` (both included) and
// `percent(p)` (true with probability p/100). The helpers below (`pick`, `draw_int`) are what the
// generators call besides those three.
#pragma once

#include <concepts>
#include <cstdint>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/random.hpp"

namespace aurora::harness {

template <class T>
concept draw_source = requires(T& draw, std::uint64_t bound, std::int64_t low, int chance) {
  { draw.below(bound) } -> std::convertible_to<std::uint64_t>;
  { draw.uniform(low, low) } -> std::convertible_to<std::int64_t>;
  { draw.percent(chance) } -> std::convertible_to<bool>;
};

static_assert(draw_source<sim::random>, "the simulator's PRNG is a draw source");

namespace detail {

// One of `choices`, uniformly.
template <class source, class T>
const T& pick(source& draw, const std::vector<T>& choices) {
  AURORA_ASSERT(!choices.empty(), "pick needs something to choose from");
  return choices[static_cast<std::size_t>(draw.below(choices.size()))];
}

// An int in [low, high], both included.
template <class source>
int draw_int(source& draw, int low, int high) {
  return static_cast<int>(draw.uniform(low, high));
}

}  // namespace detail
}  // namespace aurora::harness
