// Crash recovery: what a new writer computes from a read quorum of every protection group.
//
// [P17 §4.3, P18 §2.4] A recovering writer does not replay redo; it asks a read quorum (3/6) of
// every PG what each segment holds, recomputes VCL and VDL, and truncates every record above VDL
// so that an unfinished tail of the old writer can never surface later. Because every write quorum
// (4/6) overlaps every read quorum (3/6), any record the old writer could have counted as durable
// is held by at least one segment of the read quorum.
//
// The computation, from each answering segment's `recovery_summary`:
//  1. base = the highest VDL any segment was told by a writer: everything at or below it is
//     durable;
//  2. the records above base that some answering segment holds in its complete chain, each with
//     its back-link to the previous record of the *volume*;
//  3. VCL: from base, follow the volume chain forward while the next record is known (when two
//     candidates link to the same record, which only an unsafe variant can produce, the lower LSN
//     is taken); VDL: the last CPL met on the way (or base);
//  4. each PG's chain tail at or below VDL (where the new writer's PG back-links start);
//  5. the truncation range: (VDL, T] where T = max(VDL, highest earlier truncation) + LAL covers
//     every LSN the old writer could have allocated [P17 §4.2.1].
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "aurora/storage/log_record.hpp"
#include "aurora/storage/segment.hpp"

namespace aurora::db {

struct pg_answers {
  std::vector<storage::recovery_summary> summaries;  // one per answering segment
};

struct recovery_outcome {
  storage::lsn base = storage::no_lsn;
  storage::lsn vcl = storage::no_lsn;
  storage::lsn vdl = storage::no_lsn;
  std::vector<storage::lsn> pg_tails;  // per PG: the last record at or below VDL
  storage::truncation_range truncation;  // by_epoch left 0: the caller sets it
  storage::epoch highest_epoch = 0;
};

inline recovery_outcome compute_recovery(const std::vector<pg_answers>& answers, storage::lsn lal) {
  recovery_outcome out;
  storage::lsn truncated_to = storage::no_lsn;
  // Volume chain: previous_in_volume -> the records that link to it (ordered: lowest first).
  std::multimap<storage::lsn, storage::chain_entry> next_of;
  for (const pg_answers& pg : answers) {
    for (const storage::recovery_summary& summary : pg.summaries) {
      out.base = std::max(out.base, summary.vdl_hint);
      out.highest_epoch = std::max(out.highest_epoch, summary.volume_epoch);
      truncated_to = std::max(truncated_to, summary.truncated_to);
    }
  }
  for (const pg_answers& pg : answers) {
    for (const storage::recovery_summary& summary : pg.summaries) {
      for (const storage::chain_entry& entry : summary.entries) {
        if (entry.id > out.base) next_of.emplace(entry.previous_in_volume, entry);
      }
    }
  }
  out.vcl = out.vdl = out.base;
  for (auto it = next_of.find(out.vcl); it != next_of.end(); it = next_of.find(out.vcl)) {
    auto lowest = it;
    for (auto same = it; same != next_of.end() && same->first == it->first; ++same) {
      if (same->second.id < lowest->second.id) lowest = same;
    }
    out.vcl = lowest->second.id;
    if (lowest->second.cpl) out.vdl = out.vcl;
  }
  for (const pg_answers& pg : answers) {
    storage::lsn tail = storage::no_lsn;
    for (const storage::recovery_summary& summary : pg.summaries) {
      tail = std::max(tail, std::min(summary.tail_at_hint, out.vdl));
      for (const storage::chain_entry& entry : summary.entries) {
        if (entry.id <= out.vdl) tail = std::max(tail, entry.id);
      }
    }
    out.pg_tails.push_back(tail);
  }
  out.truncation = {0, out.vdl + 1, std::max(out.vdl, truncated_to) + lal};
  return out;
}

}  // namespace aurora::db
