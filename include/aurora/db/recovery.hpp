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
//     its back-link to the previous record of the *volume*, except those inside the newest
//     truncation decision any answering segment knows (a finished recovery's decision is on a
//     write quorum, so the read quorum always brings it, or a newer one built on it);
//  3. VCL: from base, follow the volume chain forward while the next record is known (when two
//     candidates link to the same record, which only an unsafe variant can produce, the lower LSN
//     is taken); VDL: the last CPL met on the way (or base);
//  4. each PG's chain tail at or below VDL (where the new writer's PG back-links start);
//  5. the truncation range: (VDL, T] where T = max(VDL, highest earlier truncation) + LAL covers
//     every LSN the old writer could have allocated [P17 §4.2.1];
//  6. the records in (base, VDL] it keeps: a record found on one segment of the read quorum may
//     be on no other, so the writer re-replicates them and opens only when a write quorum of
//     every PG holds its chain up to the PG's tail (otherwise a later recovery with another read
//     quorum could miss them, and VDL would go backwards).
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
  // Per PG: the records in (base, VDL] the recovery keeps; some may be on a single segment, so
  // the new writer stores them at a write quorum before it opens.
  std::vector<std::vector<storage::log_record>> kept;
  storage::truncation_range truncation;            // by_epoch left 0: the caller sets it
  std::vector<storage::truncation_range> earlier;  // the ranges of the latest decision found
  storage::epoch highest_epoch = 0;
};

inline recovery_outcome compute_recovery(const std::vector<pg_answers>& answers, storage::lsn lal) {
  recovery_outcome out;
  storage::truncation_history latest;  // the newest decision any answering segment knows
  // Volume chain: previous_in_volume -> the records that link to it (ordered: lowest first).
  std::multimap<storage::lsn, const storage::log_record*> next_of;
  for (const pg_answers& pg : answers) {
    for (const storage::recovery_summary& summary : pg.summaries) {
      out.base = std::max(out.base, summary.vdl_hint);
      out.highest_epoch = std::max(out.highest_epoch, summary.volume_epoch);
      if (summary.truncations.decided_by > latest.decided_by) latest = summary.truncations;
    }
  }
  for (const pg_answers& pg : answers) {
    for (const storage::recovery_summary& summary : pg.summaries) {
      for (const storage::log_record& entry : summary.entries) {
        if (entry.id <= out.base || latest.covers(entry.id)) continue;
        next_of.emplace(entry.previous_in_volume, &entry);
      }
    }
  }
  out.vcl = out.vdl = out.base;
  for (auto it = next_of.find(out.vcl); it != next_of.end(); it = next_of.find(out.vcl)) {
    auto lowest = it;
    for (auto same = it; same != next_of.end() && same->first == it->first; ++same) {
      if (same->second->id < lowest->second->id) lowest = same;
    }
    out.vcl = lowest->second->id;
    if (lowest->second->cpl) out.vdl = out.vcl;
  }
  for (const pg_answers& pg : answers) {
    storage::lsn tail = storage::no_lsn;
    std::map<storage::lsn, storage::log_record> kept;
    for (const storage::recovery_summary& summary : pg.summaries) {
      tail = std::max(tail, std::min(summary.tail_at_hint, out.vdl));
      for (const storage::log_record& entry : summary.entries) {
        if (entry.id > out.vdl || latest.covers(entry.id)) continue;
        tail = std::max(tail, entry.id);
        if (entry.id > out.base) kept.emplace(entry.id, entry);
      }
    }
    out.pg_tails.push_back(tail);
    out.kept.emplace_back();
    for (const auto& [id, record] : kept) out.kept.back().push_back(record);
  }
  out.truncation = {0, out.vdl + 1, std::max(out.vdl, latest.highest()) + lal};
  out.earlier = latest.ranges;
  return out;
}

}  // namespace aurora::db
