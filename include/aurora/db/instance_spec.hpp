// Where a database instance runs, and how the control plane ranks it for promotion.
//
// DESIGN §2.4 [UG, "Fault tolerance for an Aurora DB cluster"]: instances live in AZs, so losing
// the writer's AZ loses the writer; a failover promotes the replica with the lowest promotion
// tier (0 first .. 15 last, default 1), then the largest, then (the model's tie-break, where
// Aurora picks arbitrarily) the lowest number. The scenario language places instances round
// robin, db1 in AZ a, db2 in b, db3 in c, db4 in a, ..., unless an `instance` statement says
// otherwise (`instance db2 az=b tier=0 size=8`). A header of its own, so that the scenario
// parser can hold these values without compiling the model.
#pragma once

#include <compare>

#include "aurora/db/limits.hpp"

namespace aurora::db {

struct instance_spec {
  char az = 0;  // 'a', 'b' or 'c'; 0: round robin by number
  int tier = default_promotion_tier;
  int size = 1;  // relative size (the model's stand-in for an instance class)
  bool operator==(const instance_spec&) const = default;
};

// The AZ of instance `number` (db1 is 1) when no spec places it: a, b, c, a, ...
constexpr char round_robin_az(int number) { return static_cast<char>('a' + (number - 1) % 3); }

// Promotion order: true when `left` (instance number `left_number`) is promoted before `right`.
constexpr bool promoted_before(const instance_spec& left, int left_number,
                               const instance_spec& right, int right_number) {
  if (left.tier != right.tier) return left.tier < right.tier;
  if (left.size != right.size) return left.size > right.size;
  return left_number < right_number;
}

}  // namespace aurora::db
