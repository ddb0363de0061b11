// The writer: the one instance of a cluster that allocates LSNs and commits transactions.
//
// The writer's commit path [P17 §4.2]:
//  - a client transaction gets one LSN per key it writes, all in one mini-transaction whose last
//    record is the CPL and the commit record; no LSN above VDL + LAL is ever allocated (LAL is
//    back-pressure: transactions wait in a bounded queue) [P17 §4.2.1];
//  - records go in batches to all 6 segments of their PG; every segment answers with its SCL,
//    from which lsn_points derives PGCL, VCL and VDL;
//  - a transaction is acknowledged asynchronously, when VDL reaches its commit LSN
//    [P17 §4.2.2]; no worker waits;
//  - reads need no quorum: the read point is VDL when the read starts; the page comes from the
//    writer's cache if it holds that version, else from storage (db/storage_read.hpp);
//  - VDL goes to the replicas with each PG's tail and the truncation decision; their lowest read
//    points come back and hold garbage collection (PGMRPL) [P17 §4.2.4];
//  - a segment whose SCL stands still is sent again what it lacks; a replacement segment is
//    confirmed hydrated when it reports the PG's last durable record [P18 §4].
// This state exists only while the instance is the writer: it is built when a recovery finishes
// (or the empty volume opens) and dropped when the writer is deposed, recovers again or crashes.
// Acknowledgements count only if they carry this writer's epoch [P18 §2.4].
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "aurora/db/instance_context.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/storage_read.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::db {

class writer {
 public:
  // The timers a writer needs, armed by the instance (they must find the writer that is current
  // when they fire, not this one).
  struct timers {
    std::function<void()> arm_flush;   // flush() after the batch window
    std::function<void()> arm_resend;  // on_resend_timer() after the resend interval
  };

  // A writer of epoch `e` that starts at `vdl`, each PG's chain ending at `pg_tails`.
  writer(instance_context& context, const storage_reads& reads, timers arm, storage::epoch e,
         lsn vdl, const std::vector<lsn>& pg_tails)
      : context_(context),
        reads_(reads),
        arm_(std::move(arm)),
        epoch_(e),
        points_(context.sizes(), context.pg_count()) {
    points_.reset(vdl, pg_tails);
    last_in_volume_ = vdl;
    shipped_tail_ = vdl;
    last_in_pg_ = pg_tails;
    batches_.assign(context.pg_count(), {});
    scl_at_last_resend_.assign(context.pg_count(), {});
    resend_backoff_.assign(context.pg_count(), {});
    sent_at_last_resend_.assign(context.pg_count(), no_lsn);
    AURORA_ASSERT(points_.vdl() == vdl && points_.vcl() == vdl, "a writer starts with VCL = VDL");
    AURORA_ASSERT(last_in_pg_.size() == batches_.size(), "a writer knows every PG's chain tail");
  }

  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  [[nodiscard]] storage::epoch volume_epoch() const { return epoch_; }
  [[nodiscard]] const lsn_points& points() const { return points_; }
  [[nodiscard]] const storage::truncation_history& truncations() const { return truncations_; }

  // After a recovery: new LSNs start above the truncation range, which LAL counts from too, and
  // the writer sends the recovery's decision with its records.
  void adopt_recovery(lsn truncated_to, storage::truncation_history decision) {
    AURORA_ASSERT(truncated_to >= points_.vdl(), "a truncation range lies above VDL");
    next_lsn_ = truncated_to + 1;
    lal_floor_ = truncated_to;
    truncations_ = std::move(decision);
    AURORA_ASSERT(next_lsn_ > points_.vdl(), "new LSNs lie above the recovered VDL");
  }

  // The segments a recovery heard from are complete to what they reported (at most VDL).
  void acknowledge_recovered(pg_id pg, int slot, lsn scl) {
    const storage::pg_membership& members = context_.membership(pg);
    points_.acknowledge(pg, slot, members.disk(slot), scl, members);
  }

  // --- writes ---------------------------------------------------------------------------------
  void start_write(sim::participant_id from, client_write& request) {
    if (request.puts.size() > context_.options().lal) {
      return context_.refuse(from, request.op);  // can never fit
    }
    if (!waiting_.empty() || !may_allocate(request.puts.size())) {
      context_.probe("LAL held a transaction back");
      return context_.enqueue(waiting_, from, request);
    }
    allocate(from, request);
  }

  // Sends every PG's pending records to its 6 segments: a batch per segment. The records are
  // copied out (one allocation of the exact size) so that each PG's buffer keeps its capacity:
  // moving it out would make the next window grow a new one from nothing.
  void flush() {
    flush_scheduled_ = false;
    for (pg_id pg = 0; pg < batches_.size(); ++pg) {
      if (batches_[pg].empty()) continue;
      send_batch(pg, batches_[pg]);
      batches_[pg].clear();
    }
  }

  // --- acknowledgements -----------------------------------------------------------------------
  void on(const storage::redo_ack& ack) {
    // An ack of another epoch says nothing about this writer's records: the segment has moved on
    // to a newer writer, whose truncation may have removed them (unsafe variant: counted).
    if (ack.volume_epoch != epoch_)
      context_.probe("a writer ignored an acknowledgement of another epoch");
    if (ack.volume_epoch > epoch_)
      context_.probe("a writer heard an acknowledgement of a newer epoch");
    if (context_.options().fenced_by_epoch && ack.volume_epoch != epoch_) return;
    context_.report(facts::ack_counted{context_.number(), epoch_, ack.volume_epoch, ack.pg,
                                       ack.slot, ack.disk, ack.scl, context_.members(ack.pg)});
    const lsn vdl_before = points_.vdl();
    const lsn vcl_before = points_.vcl();
    const bool moved =
        points_.acknowledge(ack.pg, ack.slot, ack.disk, ack.scl, context_.membership(ack.pg));
    AURORA_ASSERT(points_.vdl() >= vdl_before, "VDL never goes backwards within an epoch");
    maybe_finish_replacement(ack.pg);
    if (points_.vcl() != points_.vdl()) context_.probe("VCL stopped inside a mini-transaction");
    if (moved) return on_vdl_moved();
    if (points_.vcl() != vcl_before) notify_replicas();  // the stream goes on without VDL
  }

  void on(sim::participant_id from, const replica_feedback& feedback) {
    if (feedback.lowest_read_points.empty()) return greet(from);  // a replica (re)started
    if (feedback.lowest_read_points.size() != static_cast<std::size_t>(context_.pg_count())) return;
    for (replica_floor& each : replica_floors_) {
      if (each.replica == from) {
        each = {from, feedback.lowest_read_points, context_.now()};
        return;
      }
    }
    replica_floors_.push_back({from, feedback.lowest_read_points, context_.now()});
  }

  // --- reads ----------------------------------------------------------------------------------
  // The read point is VDL; the writer's cache answers if it holds that version.
  void read(sim::participant_id from, const client_read& request, storage_reads& reads) {
    const lsn read_point = points_.vdl();
    const pg_id pg = context_.keys().pg(request.key);
    if (request.key < cache_.size()) {
      const std::optional<storage::version>& cached = cache_[request.key];
      if (cached && cached->id <= read_point) {
        context_.report(
            facts::read_started{context_.number(), true, epoch_, pg, read_point, cached->id});
        context_.answer_read(from, request.op, cached->value, cached->id);
        return;
      }
    }
    AURORA_ASSERT(read_point <= points_.vcl(), "a writer reads at VDL, which VCL bounds");
    reads.start(from, request, read_point, points_.durable_tail(pg), true, epoch_);
  }

  // --- the end of this writer -----------------------------------------------------------------
  // The transactions this writer can no longer finish: sent ones are indeterminate (they may be
  // durable), queued ones definitely did not happen.
  void fail_in_flight() {
    for (const pending_commit& each : commits_) {
      context_.answer(each.client, each.op, reply_status::indeterminate, no_lsn);
    }
    commits_.clear();
    for (const queued_write& each : waiting_) context_.refuse(each.client, each.request.op);
    waiting_.clear();
  }

  // --- timers ---------------------------------------------------------------------------------
  // Resends, to each segment whose SCL stood still for a whole interval, what it lacks, and
  // polls the replacements that are hydrating.
  void on_resend_timer() {
    resend_stalled();
    poll_replacements();
  }

  // Reports the points to the checkers and the trace.
  void trace_points() const {
    context_.report(facts::points{context_.number(), epoch_, points_.vcl(), points_.vdl()});
    if (!context_.tracing()) return;
    context_.trace_event("vcl", {{"lsn", static_cast<std::int64_t>(points_.vcl())}});
    context_.trace_event("vdl", {{"lsn", static_cast<std::int64_t>(points_.vdl())}});
  }
  // Ships VDL, each PG's tail at or below it and the truncation decision to the replicas.
  // A replica that (re)started gets a notice of its own: no records (it has no cache yet), the
  // current VDL, and where the stream goes on from.
  void greet(sim::participant_id replica) {
    context_.net().send(context_.self(), replica,
                        vdl_notice{epoch_,
                                   shipped_tail_,
                                   {},
                                   points_.vdl(),
                                   points_.vcl(),
                                   durable_tails(),
                                   truncations_});
  }

  // Ships the redo stream since the last notice, VDL (and VCL), each PG's tail at or below VDL
  // and the truncation decision to every replica [P17 §4.2.4].
  void notify_replicas() {
    if (context_.replicas().empty()) return;
    vdl_notice notice{epoch_,        shipped_tail_,   std::move(stream_), points_.vdl(),
                      points_.vcl(), durable_tails(), truncations_};
    stream_.clear();
    if (!notice.records.empty()) shipped_tail_ = notice.records.back().id;
    for (sim::participant_id other : context_.replicas()) {
      context_.net().send(context_.self(), other, notice);
    }
  }

  // Each PG's last record at or below VDL.
  [[nodiscard]] std::vector<lsn> durable_tails() const {
    std::vector<lsn> tails;
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg)
      tails.push_back(points_.durable_tail(pg));
    return tails;
  }

 private:
  struct pending_commit {
    sim::participant_id client;
    std::uint64_t op;
    lsn commit;
  };
  struct replica_floor {
    sim::participant_id replica;
    std::vector<lsn> lowest;  // per PG
    sim::time_point heard{};
  };

  // LAL: no LSN above max(VDL, last truncation) + LAL is allocated.
  [[nodiscard]] bool may_allocate(std::size_t count) const {
    return next_lsn_ + count - 1 <= allocation_limit();
  }
  [[nodiscard]] lsn allocation_limit() const {
    return std::max(points_.vdl(), lal_floor_) + context_.options().lal;
  }

  void allocate(sim::participant_id client, const client_write& request) {
    AURORA_ASSERT(!request.puts.empty(), "a write transaction writes at least one key");
    AURORA_ASSERT(may_allocate(request.puts.size()), "LAL admits the whole transaction");
    const storage::txn_id txn = next_lsn_;  // the first LSN names the transaction
    const pg_id first_pg = context_.keys().pg(request.puts.front().first);
    for (const auto& [key, value] : request.puts) {
      if (context_.keys().pg(key) != first_pg) {
        context_.probe("a transaction spanned protection groups");
        break;
      }
    }
    for (std::size_t index = 0; index < request.puts.size(); ++index) {
      const bool last = index + 1 == request.puts.size();
      append_record(txn, request.puts[index].first, request.puts[index].second, last);
    }
    AURORA_ASSERT(last_in_volume_ <= allocation_limit(), "no LSN above VDL + LAL [P17 §4.2.1]");
    const lsn commit = last_in_volume_;
    if (context_.options().ack_after_vdl) {
      commits_.push_back({client, request.op, commit});
    } else {  // unsafe variant: acknowledged before VDL covers it
      context_.report(facts::committed{context_.number(), epoch_, commit, points_.vdl()});
      context_.answer(client, request.op, reply_status::ok, commit);
    }
    schedule_flush();
  }

  void append_record(storage::txn_id txn, storage::key_id key, std::int64_t value, bool last) {
    const pg_id pg = context_.keys().pg(key);
    const storage::page_id page = context_.keys().page(key);
    storage::log_record record{next_lsn_++,
                               last_in_volume_,
                               last_in_pg_[pg],
                               last_for_page_[page],
                               pg,
                               page,
                               txn,
                               key,
                               value,
                               last,
                               last};
    last_in_volume_ = last_in_pg_[pg] = last_for_page_[page] = record.id;
    points_.append(record);
    context_.report(facts::allocated{context_.number(), epoch_, points_.vdl(), record});
    remember(key, {record.id, value});
    if (!context_.replicas().empty()) stream_.push_back(record);
    batches_[pg].push_back(record);
  }

  void remember(storage::key_id key, storage::version value) {
    if (key >= cache_.size()) {
      if (key >= context_.options().cache_keys_max) return;  // the cache is full: read storage
      cache_.resize(key + 1);
    }
    cache_[key] = value;
  }

  void schedule_flush() {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    arm_.arm_flush();
  }

  void send_batch(pg_id pg, std::vector<storage::log_record> records) {
    storage::redo_batch batch{epoch_,        pg,         std::move(records),
                              points_.vdl(), pgmrpl(pg), truncations_};
    for (int slot = 0; slot + 1 < storage::segments_per_pg; ++slot) {
      context_.send_to_segment(pg, slot, batch);
    }
    context_.send_to_segment(pg, storage::segments_per_pg - 1, std::move(batch));
  }

  // PGMRPL of PG `pg`: the lowest read point any read in flight on it uses, this writer's or a
  // replica's (VDL when none) [P18 §3.4]. Replicas count for `replica_feedback_ttl` after their
  // last report; a replica that went silent (crashed) stops holding garbage collection back.
  [[nodiscard]] lsn pgmrpl(pg_id pg) const {
    lsn lowest = reads_.lowest_read_point(points_.vdl(), pg);
    const sim::time_point now = context_.now();
    for (const replica_floor& each : replica_floors_) {
      if (now - each.heard < context_.options().replica_feedback_ttl) {
        lowest = std::min(lowest, each.lowest[pg]);
      }
    }
    AURORA_ASSERT(lowest <= points_.vdl(), "PGMRPL never passes VDL");
    return lowest;
  }

  void on_vdl_moved() {
    const lsn vdl = points_.vdl();
    AURORA_ASSERT(vdl <= points_.vcl(), "VDL <= VCL");
    trace_points();
    while (!commits_.empty() && commits_.front().commit <= vdl) {
      const pending_commit done = commits_.front();
      commits_.pop_front();
      if (context_.replacing_a_segment()) context_.probe("a commit during a segment replacement");
      context_.report(facts::committed{context_.number(), epoch_, done.commit, vdl});
      context_.answer(done.client, done.op, reply_status::ok, done.commit);
    }
    while (!waiting_.empty() && may_allocate(waiting_.front().request.puts.size())) {
      const queued_write next = std::move(waiting_.front());
      waiting_.pop_front();
      allocate(next.client, next.request);
    }
    notify_replicas();
  }

  // A replacement is hydrated once its new disk reports an SCL at the PG's last durable record:
  // it then holds every acknowledged record of the PG [P18 §4]. (Not PGCL: a writer that has
  // just recovered knows no PGCL yet.)
  void maybe_finish_replacement(pg_id pg) {
    if (!context_.membership(pg).changing()) return;  // no replacement: nothing to finish
    if (!context_.designated()) return;  // a writer the control plane has replaced changes nothing
    storage::pg_membership& members = context_.membership_to_change(pg);
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      if (!members.hydrating(slot) || !points_.heard_from(pg, slot, members)) continue;
      if (points_.acked_scl(pg, slot, members) < points_.durable_tail(pg)) continue;
      members.finish_replacement(slot);
      context_.probe("replacement segment hydrated");
      context_.trace_event("membership", {{"pg", static_cast<std::int64_t>(pg)},
                                          {"slot", static_cast<std::int64_t>(slot)},
                                          {"change", std::string("replacement hydrated")}});
    }
  }

  // Asks every hydrating replacement for its SCL (an empty batch), so that the change finishes
  // even when no transactions are running.
  void poll_replacements() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (!context_.membership(pg).hydrating(slot)) continue;
        context_.send_to_segment(
            pg, slot, storage::redo_batch{epoch_, pg, {}, points_.vdl(), pgmrpl(pg), truncations_});
      }
    }
  }

  // Resends, to each segment whose SCL stood still for a whole interval, what it lacks, if it
  // lacks a record sent at least an interval ago. (Records sent since the last tick are still in
  // flight: a healthy segment acknowledges them within a round trip, so resending them would only
  // double the traffic of a busy, healthy volume.) A segment that stays stalled after a resend is
  // probably down (its AZ, its node, a partition): the writer cannot tell, so it backs off,
  // doubling the wait after each resend that brought no progress, up to `resend_backoff_max`
  // intervals; any progress of its SCL resets the wait.
  void resend_stalled() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      const lsn sent_an_interval_ago = sent_at_last_resend_[pg];
      sent_at_last_resend_[pg] = last_in_pg_[pg];
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const lsn scl = points_.acked_scl(pg, slot, context_.membership(pg));
        const bool stalled = scl == scl_at_last_resend_[pg][slot];
        scl_at_last_resend_[pg][slot] = scl;
        backoff& wait = resend_backoff_[pg][slot];
        if (!stalled) wait = {};
        if (!stalled || scl >= sent_an_interval_ago) continue;
        if (wait.skip > 0) {
          --wait.skip;
          continue;
        }
        if (resend(pg, slot, scl)) wait.next(context_.options().resend_backoff_max);
      }
    }
  }

  // The resend wait of one segment, in resend intervals.
  struct backoff {
    int intervals = 1;  // the wait after the next resend that brings no progress
    int skip = 0;       // ticks left to wait before resending again
    void next(int most) {
      AURORA_ASSERT(most >= 1, "a resend waits at least one interval");
      skip = intervals - 1;
      intervals = std::min(2 * intervals, most);
      AURORA_ASSERT(skip >= 0 && skip < most, "the wait is bounded by resend_backoff_max");
    }
  };

  // Returns whether it sent anything.
  bool resend(pg_id pg, int slot, lsn scl) {
    std::vector<storage::log_record> records;
    for (const storage::log_record& record : points_.above_vdl()) {
      if (record.pg == pg && record.id > scl) records.push_back(record);
      if (records.size() == storage::segment::gossip_batch_max) break;
    }
    if (records.empty()) return false;  // what it lacks is at or below VDL: peers' gossip has it
    context_.probe("resend to a stalled segment");
    context_.send_to_segment(pg, slot,
                             storage::redo_batch{epoch_, pg, std::move(records), points_.vdl(),
                                                 pgmrpl(pg), truncations_});
    return true;
  }

  instance_context& context_;
  const storage_reads& reads_;
  timers arm_;
  storage::epoch epoch_;  // the epoch this writer writes with
  lsn_points points_;
  lsn next_lsn_ = 1;
  lsn lal_floor_ = no_lsn;  // the top of the last truncation: LAL counts from here too
  lsn last_in_volume_ = no_lsn;
  std::vector<storage::log_record> stream_;  // allocated, not yet shipped to the replicas
  lsn shipped_tail_ = no_lsn;                // the last record shipped to the replicas
  std::vector<lsn> last_in_pg_;
  std::map<storage::page_id, lsn> last_for_page_;
  std::deque<pending_commit> commits_;
  std::deque<queued_write> waiting_;
  std::vector<std::vector<storage::log_record>> batches_;  // per PG, not yet sent
  bool flush_scheduled_ = false;
  storage::truncation_history truncations_;             // the decision this writer opened with
  std::vector<std::optional<storage::version>> cache_;  // per key: newest version written
  std::vector<std::array<lsn, storage::segments_per_pg>> scl_at_last_resend_;
  std::vector<std::array<backoff, storage::segments_per_pg>> resend_backoff_;
  std::vector<lsn> sent_at_last_resend_;       // per PG: its last record when the timer last fired
  std::vector<replica_floor> replica_floors_;  // the replicas' lowest read points (PGMRPL)
};

}  // namespace aurora::db
