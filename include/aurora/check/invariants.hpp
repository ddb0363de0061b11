// Named invariants, checked after every step of a run.
//
// Each invariant has a name, a predicate over the model and its history, and a reason for each
// clause that fails (the habit of stateright properties and FoundationDB workload checks). They
// observe the cluster; they never change it.
//  - durability: no acknowledged write is lost: none of its records is removed by a truncation,
//    and while its PG keeps at least Vr intact segments (a hydrating replacement is not yet a
//    copy), at least one of them holds it in its complete chain;
//  - read_quorum_overlap: every acknowledged record is held by so many intact segments of its
//    PG that no read quorum of the others could miss it (fewer than Vr intact segments lack it).
//    This is the rule Vr + Vw > V exists for [P17 §2.1]: a recovery reads any Vr segments;
//  - vdl_durable: a record is at or below an open writer's VDL only once it is durable: held by
//    so many intact segments of its PG that no read quorum of the others could miss it [P17
//    §4.1]. After a recovery, this is what re-replicating the kept records buys: the new writer
//    opens only once every record it keeps is on a write quorum [P17 §4.3]. Each record is
//    judged once, at the first check after VDL passes it (between two checks no data is lost:
//    faults are steps, and a check precedes every step);
//  - read_after_commit: a read through the writer that starts after a write's acknowledgement
//    returns that write's version of the key or a newer one [P17 §4.2.3];
//  - unique_lsn: no LSN is allocated twice (two writers at once, split brain) [P18 §2.4];
//  - valid_read: every read returns a value some transaction wrote to that key at that LSN (or
//    none, when no write came before it);
//  - no_dirty_read: no read ever returns a version that a truncation later removes;
//  - monotonic_points: an instance's VCL and VDL never go backwards while its epoch stands, VDL
//    never goes back across epochs, and no segment's SCL or epoch goes backwards except by a
//    truncation (SCL) or the loss of its disk;
//  - scl_complete: SCL moves only along the PG back-links: a segment holds every record of its
//    PG up to its SCL, except those a truncation removed [P18 §2.3];
//  - old_writer_stops: a failover restarts the old writer when the control plane reaches it;
//  - the rules checked on the instances' decisions (check/protocol_rules.hpp): allocation within
//    LAL, write quorums of every member set, acknowledgement epochs, VDL, commits and read points
//    at CPLs, garbage collection below read points, truncation bounds, one writer per epoch.
// docs/rules.md maps every rule of the design to the invariant that guards it.
// A violation carries the invariant, the reason, the simulated time and the step.
//
// Incremental checking. `check()` runs after every step and every client completion, so its cost
// must not grow with the length of the run. Each invariant keeps an index of what it needs and
// looks only at what is new since the last check:
//  - every completed operation is judged once, at the first check that sees it completed (the
//    ids of operations still pending are kept; operations past the last index seen are new);
//  - durability and read_quorum_overlap judge a write's records when it is first seen
//    acknowledged; later only the records of a PG whose segments may have lost data since the
//    last check (a segment's disk, data, hydrating flag or removal count changed: while none
//    does, no segment stops holding a record and no PG gains an intact segment, so no verdict
//    can turn bad), the records a new truncation range covers, and the records found short of a
//    quorum at the last check (their reason carries counts, which may change);
//  - no_dirty_read keeps the versions reads returned (LSN -> the read) and looks up the reads
//    each new truncation range covers;
//  - read_after_commit queries a per-key index of acknowledged versions by completion time.
// `check_everything()` is `check()` plus a full re-scan of every acknowledged write and every
// read of the whole history, with indexes built afresh. It costs what one old-style check did
// (linear in the history, plus a sort), so the runner calls it once, in its final check: the
// incremental paths are exact, and the re-scan is the net that keeps a slip in them from hiding
// a violation (it would then be reported late, at the final check, but never missed).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aurora/check/fact_log.hpp"
#include "aurora/check/history.hpp"
#include "aurora/check/protocol_rules.hpp"
#include "aurora/check/violation.hpp"
#include "aurora/config.hpp"
#include "aurora/db/cluster.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::check {

// The acknowledged versions of one key by completion time, each with the highest LSN of the key
// acknowledged up to it: "the newest version acknowledged before t" is one binary search.
class acknowledged_versions {
 public:
  // Writes arrive in completion order (then this appends); an earlier one is inserted in place.
  void add(sim::time_point completed, storage::lsn id) {
    auto at = std::upper_bound(
        entries_.begin(), entries_.end(), completed,
        [](sim::time_point when, const entry& each) { return when < each.completed; });
    at = entries_.insert(at, {completed, id, id});
    for (; at != entries_.end(); ++at) {
      const storage::lsn before = at == entries_.begin() ? storage::no_lsn : std::prev(at)->newest;
      at->newest = std::max(at->id, before);
    }
  }

  // The newest version acknowledged strictly before `before` (none: no_lsn).
  [[nodiscard]] storage::lsn newest_before(sim::time_point before) const {
    auto after = std::lower_bound(
        entries_.begin(), entries_.end(), before,
        [](const entry& each, sim::time_point when) { return each.completed < when; });
    return after == entries_.begin() ? storage::no_lsn : std::prev(after)->newest;
  }

 private:
  struct entry {
    sim::time_point completed;
    storage::lsn id;      // this write's record of the key
    storage::lsn newest;  // the highest id of this entry and every earlier one
  };
  std::vector<entry> entries_;
};

// Disjoint LSN intervals (the truncation ranges, merged): `covers` is one binary search.
class lsn_intervals {
 public:
  void add(storage::lsn from, storage::lsn to) {
    if (from > to) return;  // an empty range covers nothing
    auto it = ranges_.upper_bound(from);
    if (it != ranges_.begin() && std::prev(it)->second >= from) --it;
    while (it != ranges_.end() && it->first <= to) {  // overlaps [from, to]: merge it in
      from = std::min(from, it->first);
      to = std::max(to, it->second);
      it = ranges_.erase(it);
    }
    ranges_.emplace(from, to);
  }
  [[nodiscard]] bool covers(storage::lsn id) const {
    auto after = ranges_.upper_bound(id);
    return after != ranges_.begin() && std::prev(after)->second >= id;
  }

 private:
  std::map<storage::lsn, storage::lsn> ranges_;  // from -> to (inclusive)
};

class invariant_checker {
 public:
  // Checks the cluster `cluster` of `deployment`, whose instances report to `facts`; the
  // judged facts are dropped from `facts`, so that memory stays flat.
  invariant_checker(const ops::deployment& deployment, fact_log& facts,
                    std::string_view cluster = "main")
      : world_(deployment.world()),
        history_(deployment.history()),
        model_(deployment.cluster(cluster)),
        facts_(facts),
        rules_(model_.config().lal) {}

  // The cluster is a clone whose volume starts at its source's VDL `vdl` (its fact log adopted
  // the source's records up to there: fact_log::adopt_source_record).
  void adopt_clone_point(storage::lsn vdl) { rules_.adopt_clone_point(vdl); }

  // Runs every invariant on what changed since the last check; returns the violations found
  // now (each reported once).
  std::vector<violation> check() { return run(false); }

  // The same, then every acknowledged write and every read of the whole history judged again
  // from scratch (see the top of the file): for the final check of a run.
  std::vector<violation> check_everything() { return run(true); }

  [[nodiscard]] const std::vector<violation>& violations() const { return seen_; }
  // How many protocol facts have been judged (the cluster may drop those).
  [[nodiscard]] std::size_t facts_judged() const { return facts_seen_; }

  // The record with this LSN, if any writer allocated it.
  [[nodiscard]] const storage::log_record* record(storage::lsn id) const {
    auto found = records_.find(id);
    return found == records_.end() ? nullptr : &found->second;
  }

  // The LSN of the record of `key` in the transaction that committed at `commit`.
  [[nodiscard]] storage::lsn key_record(storage::lsn commit, storage::key_id key) const {
    const storage::log_record* last = record(commit);
    if (last == nullptr) return storage::no_lsn;
    for (storage::lsn id = last->txn; id <= commit; ++id) {
      const storage::log_record* each = record(id);
      if (each != nullptr && each->key == key && each->txn == last->txn) return id;
    }
    return storage::no_lsn;
  }

  // The newest version of `key` acknowledged before `before` (none: no_lsn), among the writes
  // seen by the last check.
  [[nodiscard]] storage::lsn latest_acknowledged(storage::key_id key,
                                                 sim::time_point before) const {
    auto found = versions_.find(key);
    return found == versions_.end() ? storage::no_lsn : found->second.newest_before(before);
  }

 private:
  // One pass: every invariant on what changed (check/impl/invariants.ipp, compiled once in the
  // compiled mode: config.hpp).
  std::vector<violation> run(bool everything);

  // An operation on the checked cluster (a deployment's history holds every cluster's).
  [[nodiscard]] bool mine(const operation& op) const { return op.cluster == model_.name(); }

  void absorb_new_records(std::vector<violation>& found) {
    const std::vector<storage::log_record>& all = facts_.allocated();
    for (; records_seen_ < all.size(); ++records_seen_) {
      const storage::log_record& each = all[records_seen_];
      if (records_.emplace(each.id, each).second) continue;
      add(found, "unique_lsn",
          "LSN " + std::to_string(each.id) + " was allocated twice: two writers were open at once");
    }
  }

  // The truncation ranges that reached storage since the last check, merged into `truncated_`.
  std::vector<storage::truncation_range> absorb_new_truncations() {
    const std::vector<storage::truncation_range>& all = facts_.truncations();
    std::vector<storage::truncation_range> fresh(
        all.begin() + static_cast<std::ptrdiff_t>(truncations_seen_), all.end());
    truncations_seen_ = all.size();
    for (const storage::truncation_range& range : fresh) truncated_.add(range.from, range.to);
    return fresh;
  }

  // The ok operations completed since the last check, in order of completion time (then id).
  // Their writes are indexed by key (read_after_commit) before any read is judged.
  struct completions {
    std::vector<std::uint64_t> writes, reads;
  };
  completions absorb_completions() {
    std::vector<std::uint64_t> now;
    std::erase_if(pending_, [&](std::uint64_t id) {
      if (history_.at(id).status == op_status::pending) return false;
      now.push_back(id);
      return true;
    });
    const std::vector<operation>& all = history_.operations();
    for (; operations_seen_ < all.size(); ++operations_seen_) {
      const operation& op = all[operations_seen_];
      if (!mine(op)) continue;
      (op.status == op_status::pending ? pending_ : now).push_back(op.id);
    }
    std::sort(now.begin(), now.end(), [this](std::uint64_t left, std::uint64_t right) {
      const sim::time_point a = history_.at(left).completed, b = history_.at(right).completed;
      return a != b ? a < b : left < right;
    });
    completions done;
    for (const std::uint64_t id : now) {
      const operation& op = history_.at(id);
      if (op.status != op_status::ok) continue;
      if (op.kind == op_kind::read) {
        done.reads.push_back(id);
      } else if (record(op.at) == nullptr) {
        unknown_commits_.push_back(id);  // not allocated (yet): judged once it is
      } else {
        index_write(op, versions_);
        done.writes.push_back(id);
      }
    }
    // Normally empty: a write is acknowledged only after its records are allocated.
    std::erase_if(unknown_commits_, [&](std::uint64_t id) {
      if (record(history_.at(id).at) == nullptr) return false;
      index_write(history_.at(id), versions_);
      done.writes.push_back(id);
      return true;
    });
    return done;
  }

  void index_write(const operation& op,
                   std::map<storage::key_id, acknowledged_versions>& by_key) const {
    for (const auto& [key, value] : op.puts) by_key[key].add(op.completed, key_record(op.at, key));
  }

  // The records of the transaction an acknowledged write committed (LSN order).
  [[nodiscard]] std::vector<const storage::log_record*> records_of(const operation& op) const {
    std::vector<const storage::log_record*> mine;
    const storage::log_record* commit = record(op.at);
    if (commit == nullptr) return mine;
    for (storage::lsn id = commit->txn; id <= op.at; ++id) {
      const storage::log_record* each = record(id);
      if (each != nullptr && each->txn == commit->txn) mine.push_back(each);
    }
    return mine;
  }

  void add(std::vector<violation>& found, const char* invariant, std::string reason) {
    if (!reported_.emplace(invariant, reason).second) return;
    found.push_back({invariant, std::move(reason), world_.now(), world_.current_step()});
  }

  [[nodiscard]] bool truncated(storage::lsn id) const { return truncated_.covers(id); }

  // --- durability and read_quorum_overlap --------------------------------------------------
  // What may have made a PG lose a record: the segments it has, and for each its data, disk,
  // hydrating flag and count of removals (storage::segment::removals).
  struct segment_mark {
    const storage::segment* data = nullptr;
    std::uint32_t disk = 0;
    bool hydrating = false;
    std::uint64_t removals = 0;
    bool operator==(const segment_mark&) const = default;
  };

  // Judges, in the order of the history (write, then LSN), the records of writes acknowledged
  // since the last check, and the records that may have lost a copy: those of a PG whose
  // segments changed, those a new truncation range covers, those short of a quorum last time.
  void check_durability(std::vector<violation>& found,
                        const std::vector<db::segment_view>& segments,
                        const std::vector<std::uint64_t>& new_writes,
                        const std::vector<storage::truncation_range>& new_ranges) {
    std::set<std::pair<std::uint64_t, storage::lsn>> due(short_.begin(), short_.end());
    for (const std::uint64_t id : new_writes) {
      for (const storage::log_record* each : records_of(history_.at(id))) {
        acknowledged_[each->pg].emplace(each->id, id);
        due.emplace(id, each->id);
      }
    }
    for (const storage::truncation_range& range : new_ranges) {
      for (const auto& [pg, records] : acknowledged_) {
        for (auto it = records.lower_bound(range.from);
             it != records.end() && it->first <= range.to; ++it) {
          due.emplace(it->second, it->first);
        }
      }
    }
    for (const storage::pg_id pg : pgs_that_may_have_lost_data(segments)) {
      for (const auto& [id, write] : acknowledged_[pg]) due.emplace(write, id);
    }
    for (const auto& [write, id] : due) {
      judge_durable(found, history_.at(write), *record(id), segments);
    }
  }

  std::vector<storage::pg_id> pgs_that_may_have_lost_data(
      const std::vector<db::segment_view>& segments) {
    std::map<storage::pg_id, std::vector<segment_mark>> now;
    for (const db::segment_view& segment : segments) {
      now[segment.pg].push_back(
          {segment.data, segment.disk, segment.hydrating, segment.data->removals()});
    }
    std::vector<storage::pg_id> changed;
    for (auto& [pg, marks] : now) {
      std::vector<segment_mark>& last = marks_[pg];
      if (marks != last) changed.push_back(pg);
      last = std::move(marks);
    }
    return changed;
  }

  // durability: no acknowledged record is truncated, and while its PG has at least Vr intact
  // segments, one of them holds it. read_quorum_overlap: fewer than Vr intact segments lack it.
  // Keeps the record in `short_` while it is short of a quorum, to judge it again next time.
  void judge_durable(std::vector<violation>& found, const operation& op,
                     const storage::log_record& each,
                     const std::vector<db::segment_view>& segments) {
    const std::pair<std::uint64_t, storage::lsn> key{op.id, each.id};
    short_.erase(key);
    const std::string what = "acknowledged write of " + model_.keys().name(each.key) + "=" +
                             std::to_string(each.value) + " by " + op.process + " (LSN " +
                             std::to_string(each.id) + ")";
    if (truncated(each.id)) {
      return add(found, "durability", what + " was removed by a recovery's truncation");
    }
    int intact = 0, holding = 0;
    for (const db::segment_view& segment : segments) {
      if (segment.pg != each.pg || segment.hydrating) continue;
      ++intact;
      if (segment.data->holds(each.id)) ++holding;
    }
    if (intact >= model_.quorum().vr() && holding == 0) {
      short_.insert(key);
      add(found, "durability",
          what + " is held by none of the " + std::to_string(intact) + " intact segments of PG " +
              std::to_string(each.pg));
    } else if (intact - holding >= model_.quorum().vr()) {
      short_.insert(key);
      add(found, "read_quorum_overlap",
          what + " is held by only " + std::to_string(holding) + " of the " +
              std::to_string(intact) + " intact segments of PG " + std::to_string(each.pg) +
              ": a read quorum of " + std::to_string(model_.quorum().vr()) +
              " others could miss it");
    }
  }

  // vdl_durable: judges the records VDL passed since the last check (already incremental).
  void check_vdl_durable(std::vector<violation>& found,
                         const std::vector<db::segment_view>& segments) {
    const db::instance& writer = model_.writer();
    if (writer.role() != db::instance_role::writer || writer.vdl() <= durable_to_) return;
    for (auto it = records_.upper_bound(durable_to_);
         it != records_.end() && it->first <= writer.vdl(); ++it) {
      const storage::log_record& each = it->second;
      if (truncated(each.id)) continue;  // a dead writer's tail, below a later VDL
      int intact = 0, holding = 0;
      for (const db::segment_view& segment : segments) {
        if (segment.pg != each.pg || segment.hydrating) continue;
        ++intact;
        if (segment.data->holds(each.id)) ++holding;
      }
      if (intact - holding < model_.quorum().vr()) continue;
      add(found, "vdl_durable",
          writer.name() + " (epoch " + std::to_string(writer.volume_epoch()) + ") has VDL " +
              std::to_string(writer.vdl()) + " at or above LSN " + std::to_string(each.id) +
              " of PG " + std::to_string(each.pg) + ", which only " + std::to_string(holding) +
              " of the " + std::to_string(intact) + " intact segments hold: a read quorum of " +
              std::to_string(model_.quorum().vr()) + " others could miss it");
    }
    durable_to_ = writer.vdl();
  }

  // --- reads ---------------------------------------------------------------------------------
  // Judges, in the order of the history, the reads completed since the last check (valid_read,
  // no_dirty_read, read_after_commit), the reads whose version a new truncation range removes
  // (no_dirty_read), and the reads whose version no writer had allocated (valid_read again).
  void check_reads(std::vector<violation>& found, const std::vector<std::uint64_t>& new_reads,
                   const std::vector<storage::truncation_range>& new_ranges) {
    std::map<std::uint64_t, bool> due;  // read -> judged for the first time
    for (const std::uint64_t id : unallocated_reads_) due.emplace(id, false);
    for (const std::uint64_t id : new_reads) due[id] = true;
    for (const storage::truncation_range& range : new_ranges) {
      for (auto it = read_versions_.lower_bound(range.from);
           it != read_versions_.end() && it->first <= range.to;) {
        due.emplace(it->second, false);
        it = read_versions_.erase(it);  // reported below, once and for all
      }
    }
    for (const auto& [id, first] : due) {
      const operation& op = history_.at(id);
      if (judge_valid_read(found, op)) {
        unallocated_reads_.erase(id);
      } else {
        unallocated_reads_.insert(id);
      }
      if (judge_dirty_read(found, op) && first) read_versions_.emplace(op.at, id);
      if (op.from.is_cluster())
        judge_read_after_commit(found, op, latest_acknowledged(op.key, op.invoked));
    }
  }

  // valid_read: the version a read returned is one a writer allocated for that key, with that
  // value. Returns false only when no writer allocated its LSN (yet): judged again later.
  bool judge_valid_read(std::vector<violation>& found, const operation& op) {
    if (op.at == storage::no_lsn) {
      if (op.value) add(found, "valid_read", describe(op) + " returned a value with no version");
      return true;
    }
    const storage::log_record* written = record(op.at);
    if (written == nullptr) {
      add(found, "valid_read",
          describe(op) + " at LSN " + std::to_string(op.at) + ", an LSN no writer allocated");
      return false;
    }
    if (written->key != op.key || !op.value || written->value != *op.value) {
      add(found, "valid_read",
          describe(op) + " at LSN " + std::to_string(op.at) + ", but the record allocated at " +
              "that LSN wrote " + model_.keys().name(written->key) + "=" +
              std::to_string(written->value));
    }
    return true;
  }

  // no_dirty_read: no read returns a version a truncation removes. Judged when the read is first
  // seen, then for each new truncation range (read_versions_). Returns true if the read has a
  // version no truncation removed so far (to be kept in read_versions_).
  bool judge_dirty_read(std::vector<violation>& found, const operation& op) {
    if (op.at == storage::no_lsn) return false;
    if (!truncated(op.at)) return true;
    add(found, "no_dirty_read",
        describe(op) + " returned LSN " + std::to_string(op.at) +
            ", which a recovery later truncated");
    return false;
  }

  // read_after_commit: a read through the writer returns the newest version acknowledged before
  // it started, or a newer one. Judged once, when the read is first seen completed: every write
  // acknowledged before it started was seen then.
  void judge_read_after_commit(std::vector<violation>& found, const operation& op,
                               storage::lsn newest) {
    if (op.at >= newest) return;
    add(found, "read_after_commit",
        describe(op) + " returned the version at LSN " + std::to_string(op.at) +
            ", older than LSN " + std::to_string(newest) + " acknowledged before the read started");
  }

  std::string describe(const operation& op) const {
    std::string text = "read of " + model_.keys().name(op.key) + " by " + op.process;
    if (!op.from.is_cluster()) text += " from " + to_string(op.from);
    text += " -> " + (op.value ? std::to_string(*op.value) : std::string("none"));
    return text;
  }

  // --- the full re-scan (check_everything) ---------------------------------------------------
  // Every acknowledged record and every read of the whole history, judged with a by-key index
  // built afresh from the history: the incremental state is not trusted here.
  void rescan(std::vector<violation>& found, const std::vector<db::segment_view>& segments) {
    std::vector<std::uint64_t> writes;
    for (const operation& op : history_.operations()) {
      if (mine(op) && op.kind == op_kind::write && op.status == op_status::ok) {
        writes.push_back(op.id);
      }
    }
    for (const std::uint64_t id : writes) {
      const operation& op = history_.at(id);
      for (const storage::log_record* each : records_of(op)) {
        judge_durable(found, op, *each, segments);
      }
    }
    std::stable_sort(writes.begin(), writes.end(), [this](std::uint64_t left, std::uint64_t right) {
      return history_.at(left).completed < history_.at(right).completed;
    });
    std::map<storage::key_id, acknowledged_versions> by_key;
    for (const std::uint64_t id : writes) index_write(history_.at(id), by_key);
    for (const operation& op : history_.operations()) {
      if (!mine(op) || op.kind != op_kind::read || op.status != op_status::ok) continue;
      judge_valid_read(found, op);
      judge_dirty_read(found, op);
      if (!op.from.is_cluster()) continue;
      auto versions = by_key.find(op.key);
      judge_read_after_commit(
          found, op,
          versions == by_key.end() ? storage::no_lsn : versions->second.newest_before(op.invoked));
    }
  }

  void check_points(std::vector<violation>& found) {
    const std::vector<point_change>& changes = facts_.point_changes();
    for (; points_seen_ < changes.size(); ++points_seen_) {
      const point_change& now = changes[points_seen_];
      auto [last, fresh] = last_points_.try_emplace(now.instance, now);
      if (!fresh && now.volume_epoch == last->second.volume_epoch) {
        if (now.vdl < last->second.vdl) {
          add(found, "monotonic_points",
              now.instance + " VDL went back from " + std::to_string(last->second.vdl) + " to " +
                  std::to_string(now.vdl));
        }
        if (now.vcl < last->second.vcl) {
          add(found, "monotonic_points",
              now.instance + " VCL went back from " + std::to_string(last->second.vcl) + " to " +
                  std::to_string(now.vcl));
        }
      }
      if (now.volume_epoch > highest_epoch_ && now.vdl < highest_vdl_) {
        add(found, "monotonic_points",
            now.instance + " opened epoch " + std::to_string(now.volume_epoch) + " at VDL " +
                std::to_string(now.vdl) + ", below the VDL " + std::to_string(highest_vdl_) +
                " of an earlier writer");
      }
      highest_epoch_ = std::max(highest_epoch_, now.volume_epoch);
      if (now.volume_epoch == highest_epoch_) highest_vdl_ = std::max(highest_vdl_, now.vdl);
      last->second = now;
    }
  }

  void check_segments(std::vector<violation>& found,
                      const std::vector<db::segment_view>& segments) {
    for (const db::segment_view& segment : segments) {
      const seen_segment now{segment.data->scl(), segment.data->volume_epoch(),
                             segment.data->truncation_decision().decided_by, segment.disk};
      auto [last, fresh] = segments_.try_emplace({segment.pg, segment.slot}, now);
      const bool same_disk = !fresh && last->second.disk == now.disk;
      if (same_disk && now.scl < last->second.scl && now.decision == last->second.decision) {
        add(found, "monotonic_points",
            "SCL of " + segment.node + " (PG " + std::to_string(segment.pg) + ") went back from " +
                std::to_string(last->second.scl) + " to " + std::to_string(now.scl) +
                " without a truncation");
      }
      if (same_disk && now.epoch < last->second.epoch) {
        add(found, "monotonic_points", "the volume epoch at " + segment.node + " went back");
      }
      const storage::lsn checked =
          same_disk ? std::min(last->second.checked, now.scl) : segment.data->base_lsn();
      last->second = now;
      last->second.checked = std::max(checked, check_chain(found, segment, checked));
    }
  }

  // SCL advances only along the PG back-links [P18 §2.3]: a segment holds every record of its PG
  // up to its SCL, except those a truncation removed. Checks the records in (from, SCL].
  storage::lsn check_chain(std::vector<violation>& found, const db::segment_view& segment,
                           storage::lsn from) {
    const storage::lsn scl = segment.data->scl();
    for (auto it = records_.upper_bound(from); it != records_.end() && it->first <= scl; ++it) {
      const storage::log_record& each = it->second;
      if (each.pg != segment.pg || segment.data->holds(each.id)) continue;
      if (truncated(each.id) || segment.data->truncation_decision().covers(each.id)) continue;
      add(found, "scl_complete",
          "SCL of " + segment.node + " (PG " + std::to_string(segment.pg) + ") is " +
              std::to_string(scl) + ", but it lacks LSN " + std::to_string(each.id) +
              ": SCL moves only along the PG back-links, over records the segment holds");
      break;
    }
    return scl;
  }

  void check_protocol_facts(std::vector<violation>& found) {
    const std::vector<db::facts::stamped>& facts = facts_.facts();
    const std::size_t dropped = facts_.facts_dropped();
    AURORA_ASSERT(dropped <= facts_seen_, "facts are dropped only once judged");
    for (; facts_seen_ - dropped < facts.size(); ++facts_seen_) {
      const db::facts::stamped& fact = facts[facts_seen_ - dropped];
      if (const auto* each = std::get_if<db::facts::failover>(&fact.what)) note_failover(*each);
      std::vector<violation> broken;
      rules_.consume(fact, broken);
      for (violation& each : broken) {
        if (reported_.emplace(each.invariant, each.reason).second) found.push_back(std::move(each));
      }
    }
    facts_.drop_facts_before(facts_seen_);  // judged: memory stays flat
    check_old_writers_stopped(found);
  }

  // A failover restarts the old writer when the control plane reaches it [UG]: from then on it
  // serves as a replica, never as the writer (only an unreachable zombie may, until an epoch
  // fences it). Checked at the first check after the failover.
  void note_failover(const db::facts::failover& fact) {
    must_have_stopped_.erase(fact.target);
    if (fact.old_reachable) must_have_stopped_.insert(fact.old_writer);
  }

  void check_old_writers_stopped(std::vector<violation>& found) {
    for (const int number : must_have_stopped_) {
      const std::string name = model_.instance_name(number);
      const db::instance& old = model_.find_instance(name);
      if (old.role() == db::instance_role::writer && model_.control().writer != name) {
        add(found, "old_writer_stops",
            name + " still serves as the writer after the failover to " + model_.control().writer +
                ": a failover restarts the old writer when the control plane can reach it");
      }
    }
    must_have_stopped_.clear();
  }

  struct seen_segment {
    storage::lsn scl;
    storage::epoch epoch;
    storage::epoch decision;  // the truncation decision it follows: SCL may drop when it changes
    std::uint32_t disk;
    storage::lsn checked = storage::no_lsn;  // its chain is checked up to here (scl_complete)
  };

  const db::world& world_;
  const ops::history& history_;
  const db::cluster& model_;
  fact_log& facts_;
  std::map<storage::lsn, storage::log_record> records_;
  std::size_t records_seen_ = 0;
  lsn_intervals truncated_;  // every truncation range that reached storage, merged
  std::size_t truncations_seen_ = 0;
  // Operations: those past operations_seen_ are new; pending_ are mine, not yet completed.
  std::size_t operations_seen_ = 0;
  std::vector<std::uint64_t> pending_;
  std::vector<std::uint64_t> unknown_commits_;  // acknowledged writes with no record allocated
  // durability, read_quorum_overlap: per PG, acknowledged record LSN -> the write; the segment
  // marks of the last check; the (write, record) pairs short of a quorum at the last check.
  std::map<storage::pg_id, std::multimap<storage::lsn, std::uint64_t>> acknowledged_;
  std::map<storage::pg_id, std::vector<segment_mark>> marks_;
  std::set<std::pair<std::uint64_t, storage::lsn>> short_;
  // read_after_commit: per key, the acknowledged versions by completion time.
  std::map<storage::key_id, acknowledged_versions> versions_;
  // no_dirty_read: version LSN -> the read that returned it (not truncated so far).
  std::multimap<storage::lsn, std::uint64_t> read_versions_;
  std::set<std::uint64_t> unallocated_reads_;  // valid_read: version not allocated (yet)
  std::size_t points_seen_ = 0;
  std::map<std::string, point_change> last_points_;
  storage::epoch highest_epoch_ = 0;
  storage::lsn durable_to_ = storage::no_lsn;  // vdl_durable judged the records up to here
  storage::lsn highest_vdl_ = 0;
  std::map<std::pair<storage::pg_id, int>, seen_segment> segments_;
  protocol_rules rules_;
  std::set<int> must_have_stopped_;  // old writers a failover restarted (old_writer_stops)
  std::size_t facts_seen_ = 0;
  std::set<std::pair<std::string, std::string>> reported_;
  std::vector<violation> seen_;
};

}  // namespace aurora::check

#if AURORA_HEADER_ONLY
#include "aurora/check/impl/invariants.ipp"
#endif
