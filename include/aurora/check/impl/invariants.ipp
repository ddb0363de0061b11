// The invariant checker's pass (check/invariants.hpp): the one entry point through which a
// program reaches every invariant, defined here so that the compiled mode (config.hpp) builds
// the checkers once.
#pragma once

#include <vector>

#include "aurora/check/invariants.hpp"

namespace aurora::check {

AURORA_DECL std::vector<violation> invariant_checker::run(bool everything) {
  std::vector<violation> found;
  absorb_new_records(found);
  const std::vector<storage::truncation_range> new_ranges = absorb_new_truncations();
  const std::vector<db::segment_view> segments = model_.segments();
  const completions done = absorb_completions();
  check_durability(found, segments, done.writes, new_ranges);
  check_vdl_durable(found, segments);
  check_reads(found, done.reads, new_ranges);
  check_points(found);
  check_segments(found, segments);
  check_protocol_facts(found);
  if (everything) rescan(found, segments);
  for (const violation& each : found) seen_.push_back(each);
  return found;
}

}  // namespace aurora::check
