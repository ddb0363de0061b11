// The design's rules, checked on the decisions the instances report (db/protocol_facts.hpp).
//
// Each rule is recomputed here from the facts alone, with none of the model's code (not its
// quorum sets, not its LSN points), so a bug in the model cannot hide in the checker too. The
// invariants (names as docs/rules.md lists them):
//  - allocation_within_lal: no LSN above max(VDL, top of the writer's truncation) + LAL is ever
//    allocated [P17 §4.2.1];
//  - write_quorum: VCL passes a record only once segments whose SCL reached it form a write
//    quorum (4 of 6) of *every* member set of its PG: both ABCDEF and ABCDEG while F is replaced
//    by G [P17 §4.1, P18 §4];
//  - ack_epoch: a writer counts only acknowledgements that carry its own volume epoch; a segment
//    of a newer epoch may have truncated its records [P18 §2.4];
//  - vdl_at_cpl: VDL is a consistency point (the last record of a mini-transaction) at or below
//    VCL [P17 §4.1];
//  - commit_at_vdl: a commit is acknowledged only once VDL has reached its commit record, which
//    is a CPL [P17 §4.2.2];
//  - read_point_at_cpl: every read point is a CPL at or below a VDL the reader's writer reached,
//    the writer's cache serves no version above it, and a replica's read point never goes
//    back [P17 §4.2.3, §4.2.4];
//  - read_from_complete_segment: a segment answers a read only if its SCL reaches the PG's last
//    record at or below the read point [P17 §4.2.3];
//  - gc_keeps_read_points: garbage collection never folds away versions a writer read in flight
//    needs (segments collect at or below PGMRPL, the lowest read point in flight) [P17 §4.2.3];
//  - truncation_bounds: a recovery writes its truncation range to storage; the range starts
//    right above its VDL (a CPL) and reaches max(VDL, every earlier range's top) + LAL, above
//    every LSN allocated so far [P17 §4.3, P18 §2.4];
//  - one_writer_per_epoch: each epoch is opened by one instance, and epochs open in increasing
//    order [P18 §2.4].
// The Vw used is Aurora's (4 of 6), not the model's: an unsafe quorum variant breaks the rule.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aurora/check/violation.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/storage/quorum.hpp"

namespace aurora::check {

class protocol_rules {
 public:
  explicit protocol_rules(storage::lsn lal) : lal_(lal) {}

  // A clone's volume starts at its source's VDL: a CPL its own writers did not allocate, and
  // everything at or below it was allocated before.
  void adopt_clone_point(storage::lsn vdl) {
    bases_.insert(vdl);
    highest_allocated_ = std::max(highest_allocated_, vdl);
  }

  // Judges one fact; appends what it breaks to `found`.
  void consume(const db::facts::stamped& fact, std::vector<violation>& found) {
    at_ = fact.at;
    step_ = fact.step;
    found_ = &found;
    std::visit([this](const auto& each) { on(each); }, fact.what);
    found_ = nullptr;
  }

 private:
  using lsn = storage::lsn;
  using epoch = storage::epoch;
  static constexpr int write_quorum_size = storage::aurora_quorum::vw;

  // What the rules remember of one writer (one epoch: one writer per epoch).
  struct slot_ack {
    std::uint32_t disk = 0;
    lsn scl = storage::no_lsn;
  };
  struct pg_acks {
    std::array<slot_ack, storage::segments_per_pg> slots{};
    lsn pgcl = storage::no_lsn;  // recomputed here from the acknowledgements
    std::deque<lsn> above_vcl;   // this writer's records of the PG not yet under VCL
  };
  struct writer {
    int instance = 0;
    lsn base = storage::no_lsn;   // the VDL it opened at
    lsn floor = storage::no_lsn;  // the top of its truncation: LAL counts from here too
    lsn vcl = storage::no_lsn;
    lsn vdl = storage::no_lsn;
    std::map<storage::pg_id, pg_acks> pgs;
  };

  static std::string db(int instance) { return "db" + std::to_string(instance); }
  static std::string number(lsn value) { return std::to_string(value); }

  void add(const char* invariant, std::string reason) {
    if (!reported_.emplace(invariant, reason).second) return;
    found_->push_back({invariant, std::move(reason), at_, step_});
  }

  [[nodiscard]] bool is_cpl(lsn id) const {
    return id == storage::no_lsn || cpls_.contains(id) || bases_.contains(id);
  }

  void on(const db::facts::allocated& fact) {
    const storage::log_record& record = fact.record;
    if (record.cpl) cpls_.insert(record.id);
    highest_allocated_ = std::max(highest_allocated_, record.id);
    writer& who = writers_[fact.writer_epoch];
    const lsn limit = std::max(fact.vdl, who.floor) + lal_;
    if (record.id > limit) {
      add("allocation_within_lal", db(fact.instance) + " allocated LSN " + number(record.id) +
                                       " at VDL " + number(fact.vdl) + ", above the limit " +
                                       number(limit) + " = max(VDL, " + number(who.floor) +
                                       ") + LAL " + number(lal_));
    }
    who.pgs[record.pg].above_vcl.push_back(record.id);
  }

  void on(const db::facts::ack_counted& fact) {
    if (fact.ack_epoch != fact.writer_epoch) {
      add("ack_epoch", db(fact.instance) + " (epoch " + number(fact.writer_epoch) +
                           ") counted an acknowledgement of epoch " + number(fact.ack_epoch) +
                           " from PG " + number(fact.pg) + " slot " + number(fact.slot) +
                           ": that segment follows another writer, whose truncation may have "
                           "removed these records");
      return;
    }
    if (fact.disk != fact.members.disk[fact.slot]) return;  // a lost disk's late word
    pg_acks& pg = writers_[fact.writer_epoch].pgs[fact.pg];
    slot_ack& slot = pg.slots[fact.slot];
    if (slot.disk != fact.disk) slot = {fact.disk, storage::no_lsn};
    slot.scl = std::max(slot.scl, fact.scl);
    pg.pgcl = std::max(pg.pgcl, complete_lsn(pg, fact.members));
  }

  // PGCL: the highest SCL that segments of a write quorum of every member set have reached.
  static lsn complete_lsn(const pg_acks& pg, const db::facts::membership_snapshot& members) {
    lsn best = storage::no_lsn;
    for (const slot_ack& candidate : pg.slots) {
      if (candidate.scl <= best) continue;
      if (every_set_has_quorum(pg, members, candidate.scl)) best = candidate.scl;
    }
    return best;
  }

  static bool every_set_has_quorum(const pg_acks& pg, const db::facts::membership_snapshot& members,
                                   lsn reached) {
    for (int set = 0; set < members.set_count; ++set) {
      int count = 0;
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const bool member = (members.sets[set] >> members.identity[slot]) & 1U;
        const bool current = pg.slots[slot].disk == members.disk[slot];
        if (member && current && pg.slots[slot].scl >= reached) ++count;
      }
      if (count < write_quorum_size) return false;
    }
    return true;
  }

  void on(const db::facts::points& fact) {
    writer& who = writers_[fact.writer_epoch];
    who.vcl = fact.vcl;
    who.vdl = fact.vdl;
    if (fact.vdl > fact.vcl || !is_cpl(fact.vdl)) {
      add("vdl_at_cpl", db(fact.instance) + " set VDL to " + number(fact.vdl) + " (VCL " +
                            number(fact.vcl) +
                            "): VDL must be a consistency point at or below VCL");
    }
    for (auto& [pg_number, pg] : who.pgs) {
      while (!pg.above_vcl.empty() && pg.above_vcl.front() <= fact.vcl) {
        const lsn record = pg.above_vcl.front();
        pg.above_vcl.pop_front();
        if (pg.pgcl >= record) continue;
        add("write_quorum",
            db(fact.instance) + " moved VCL to " + number(fact.vcl) + " over LSN " +
                number(record) + " of PG " + number(pg_number) +
                ", which no write quorum (4 of 6) of every member set has acknowledged "
                "(complete to " +
                number(pg.pgcl) + ")");
      }
    }
  }

  void on(const db::facts::committed& fact) {
    if (fact.commit <= fact.vdl && cpls_.contains(fact.commit)) return;
    add("commit_at_vdl", db(fact.instance) + " acknowledged the commit at LSN " +
                             number(fact.commit) + " with VDL at " + number(fact.vdl) +
                             ": a commit is acknowledged once VDL reaches its commit record");
  }

  void on(const db::facts::read_started& fact) {
    const lsn reached = highest_vdl(fact.reader_epoch);
    const std::string who = db(fact.instance) + (fact.as_writer ? " (writer)" : " (replica)");
    if (fact.read_point > reached || !is_cpl(fact.read_point)) {
      add("read_point_at_cpl", who + " read at read point " + number(fact.read_point) +
                                   ", but its writer's VDL was " + number(reached) +
                                   ": a read point is a CPL at or below VDL");
    }
    if (fact.from_cache > fact.read_point) {
      add("read_point_at_cpl", who + " served the version at LSN " + number(fact.from_cache) +
                                   " from its cache, above its read point " +
                                   number(fact.read_point));
    }
  }

  // A replica's read point only moves forward: VDL never goes back, not even across epochs, so
  // no notice its writers send can lower it (monotonic_points guards that part).
  // A replica follows the newest writer it knows: its read point and the epoch of the writer it
  // takes it from only move forward (until it restarts and knows nothing).
  void on(const db::facts::replica_point& fact) {
    followed& last = replicas_[fact.instance];
    if (fact.read_point < last.read_point) {
      add("read_point_at_cpl", db(fact.instance) + " (replica) moved its read point back from " +
                                   number(last.read_point) + " to " + number(fact.read_point) +
                                   ": a replica's read point only moves forward");
    }
    if (fact.writer_epoch < last.writer_epoch) {
      add("read_point_at_cpl",
          db(fact.instance) + " (replica) took read point " + number(fact.read_point) +
              " from the writer of epoch " + number(fact.writer_epoch) + " after following epoch " +
              number(last.writer_epoch) + ": a replica follows only the newest writer it knows");
    }
    last.read_point = std::max(last.read_point, fact.read_point);
    last.writer_epoch = std::max(last.writer_epoch, fact.writer_epoch);
  }

  void on(const db::facts::restarted& fact) { replicas_.erase(fact.instance); }

  void on(const db::facts::read_answered& fact) {
    if (fact.segment_scl >= fact.complete_to) return;
    add("read_from_complete_segment",
        "PG " + number(fact.pg) + " slot " + number(fact.slot) + " answered a read of " +
            db(fact.instance) + " at read point " + number(fact.read_point) + " with SCL " +
            number(fact.segment_scl) + ", below " + number(fact.complete_to) +
            ", the PG's last record at or below the read point: it may lack that version");
  }

  void on(const db::facts::failover&) {}  // judged on the instances' state (invariants.hpp)

  [[nodiscard]] lsn highest_vdl(epoch value) const {
    auto found = writers_.find(value);
    return found == writers_.end() ? storage::no_lsn : found->second.vdl;
  }

  void on(const db::facts::gc_refused& fact) {
    if (!fact.as_writer) return;  // a replica that went silent may lose its hold (feedback TTL)
    add("gc_keeps_read_points",
        "PG " + number(fact.pg) + " slot " + number(fact.slot) + " had garbage-collected the " +
            "versions a read of the writer " + db(fact.instance) + " at read point " +
            number(fact.read_point) + " needs: segments collect only below PGMRPL, the lowest " +
            "read point in flight");
  }

  void on(const db::facts::truncated& fact) {
    const storage::truncation_range& range = fact.range;
    const lsn needed_to = std::max(fact.vdl, highest_truncated_) + lal_;
    std::string wrong;
    const auto also = [&wrong](const std::string& what) {
      wrong += (wrong.empty() ? "" : "; ") + what;
    };
    if (!fact.written) also("the range was never written to storage");
    if (!is_cpl(fact.vdl)) also("its VDL " + number(fact.vdl) + " is not a CPL");
    if (range.from != fact.vdl + 1)
      also("the range must start at VDL + 1 = " + number(fact.vdl + 1));
    if (range.to < needed_to) {
      also("the range must reach max(VDL, earlier ranges) + LAL = " + number(needed_to));
    }
    if (range.to < highest_allocated_) {
      also("LSN " + number(highest_allocated_) + " was allocated above the range");
    }
    if (!wrong.empty()) {
      add("truncation_bounds", db(fact.instance) + " (epoch " + number(fact.writer_epoch) +
                                   ") truncated [" + number(range.from) + ", " + number(range.to) +
                                   "] at VDL " + number(fact.vdl) + ": " + wrong);
    }
    if (fact.written) highest_truncated_ = std::max(highest_truncated_, range.to);
    writer& next = writers_[fact.writer_epoch];
    next.floor = range.to;
    bases_.insert(fact.vdl);
  }

  void on(const db::facts::opened& fact) {
    auto [found, fresh] = opened_.emplace(fact.writer_epoch, fact.instance);
    if (!fresh && found->second != fact.instance) {
      add("one_writer_per_epoch", db(fact.instance) + " opened epoch " + number(fact.writer_epoch) +
                                      ", which " + db(found->second) + " had opened");
    }
    if (fact.writer_epoch < highest_opened_) {
      add("one_writer_per_epoch", db(fact.instance) + " opened epoch " + number(fact.writer_epoch) +
                                      " after epoch " + number(highest_opened_) + " had opened");
    }
    highest_opened_ = std::max(highest_opened_, fact.writer_epoch);
    writer& who = writers_[fact.writer_epoch];
    who.instance = fact.instance;
  }

  lsn lal_;
  std::map<epoch, writer> writers_;
  std::set<lsn> cpls_;
  std::set<lsn> bases_;  // the VDLs recoveries opened at (CPLs of earlier writers)
  std::map<epoch, int> opened_;
  struct followed {
    lsn read_point = storage::no_lsn;  // the highest read point it took
    epoch writer_epoch = 0;            // from the newest writer
  };
  std::map<int, followed> replicas_;  // per replica, since it last restarted
  epoch highest_opened_ = 0;
  lsn highest_allocated_ = storage::no_lsn;
  lsn highest_truncated_ = storage::no_lsn;
  std::set<std::pair<std::string, std::string>> reported_;
  std::vector<violation>* found_ = nullptr;
  sim::time_point at_{};
  int step_ = -1;
};

}  // namespace aurora::check
