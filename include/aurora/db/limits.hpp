// The bounds of a cluster's configuration, in a header of their own so that the scenario parser
// can check them without compiling the model.
#pragma once

#include "aurora/storage/log_record.hpp"

namespace aurora::db {

using storage::lsn;

// Read replicas: one writer and up to 15 replicas share a volume [UG].
inline constexpr int max_replicas = 15;

// Promotion tiers: 0 is promoted first, 15 last; a replica is in tier 1 unless set [UG].
inline constexpr int max_promotion_tier = 15;
inline constexpr int default_promotion_tier = 1;
// An instance's relative size (the model's stand-in for its instance class): among replicas of
// one tier, the largest is promoted first [UG].
inline constexpr int max_instance_size = 1'000;

// The largest LSN allocation limit: each recovery moves the next LSN up by at most LAL, so LSN
// arithmetic (64 bits) stays exact for billions of recoveries. Production uses 10 million
// [P17 §4.2.1].
inline constexpr lsn max_lal = 1'000'000'000;

}  // namespace aurora::db
