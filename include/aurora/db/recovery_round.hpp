// A recovery round: how an instance becomes the writer of an existing volume [P17 §4.3, P18 §2.4].
//
// The round takes a new volume epoch from the storage metadata service
// (storage/metadata_service.hpp) and proposes it to every segment; each segment that accepts is
// fenced against the old writer. When a read quorum of every PG has answered (of either member
// set while a segment is replaced [P18 §4]), the round computes VCL and VDL
// (db/recovery.hpp) and sends the truncation range, with the epoch and the records it keeps, to
// every segment; once a write quorum of every PG holds them, the instance opens as the writer
// of that epoch, with LSNs above the range. Those that do not answer are asked again every
// `recovery_retry`. A segment that refuses the epoch has a newer one: the instance starts a new
// round (with a new epoch). Writes that arrive meanwhile wait in the round (a new round keeps
// them); they are refused if the round is abandoned (another instance was made the writer).
// This state exists only while the instance is recovering.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "aurora/db/instance_context.hpp"
#include "aurora/db/recovery.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::db {

class recovery_round {
 public:
  // What a segment's answer did to the round.
  enum class progress : std::uint8_t {
    waiting,    // nothing decided yet
    outbid,     // the segment holds a newer epoch: start a new round above it
    recovered,  // a write quorum of every PG holds the truncation: open as the writer
  };

  // Round `round` of this instance, proposing `proposed` (from the metadata service); `waiting`
  // are the writes an earlier round of this recovery kept.
  recovery_round(instance_context& context, std::uint64_t round, storage::epoch proposed,
                 std::deque<queued_write> waiting)
      : context_(context),
        round_(round),
        proposed_(proposed),
        waiting_(std::move(waiting)),
        answers_(static_cast<std::size_t>(context.pg_count())),
        truncate_acks_(static_cast<std::size_t>(context.pg_count()), 0) {
    AURORA_ASSERT(proposed_ > context.known_epoch(),
                  "a recovery proposes an epoch newer than any the instance heard of");
    AURORA_ASSERT(waiting_.size() <= context.options().waiting_max,
                  "a recovery keeps at most waiting_max writes");
  }

  recovery_round(const recovery_round&) = delete;
  recovery_round& operator=(const recovery_round&) = delete;

  [[nodiscard]] std::uint64_t round() const { return round_; }
  [[nodiscard]] storage::epoch proposed() const { return proposed_; }
  [[nodiscard]] const recovery_outcome& outcome() const { return outcome_; }
  [[nodiscard]] std::deque<queued_write> take_waiting() { return std::move(waiting_); }

  void enqueue(sim::participant_id from, client_write& request) {
    context_.enqueue(waiting_, from, request);
  }
  // The round is abandoned: its writes definitely did not happen.
  void refuse_waiting() {
    for (const queued_write& each : waiting_) context_.refuse(each.client, each.request.op);
    waiting_.clear();
  }

  // Asks again those that have not answered the current phase.
  void send() {
    if (truncating_) return send_truncations();
    send_queries();
  }

  progress on(storage::recovery_reply& reply) {
    if (reply.round != round_) return progress::waiting;
    if (!reply.accepted) {  // a newer epoch exists: start again above it
      context_.hear_of_epoch(reply.summary.volume_epoch);
      return progress::outbid;
    }
    const storage::pg_membership& members = context_.membership(reply.pg);
    if (reply.disk != members.disk(reply.slot) || members.hydrating(reply.slot)) {
      return progress::waiting;
    }
    if (truncating_) return progress::waiting;
    answers_[reply.pg][reply.slot] = std::move(reply.summary);
    if (every_pg_has_read_quorum()) begin_truncation();
    return progress::waiting;
  }

  progress on(const storage::truncate_ack& ack) {
    if (ack.round != round_) return progress::waiting;
    const storage::pg_membership& members = context_.membership(ack.pg);
    if (ack.disk != members.disk(ack.slot)) return progress::waiting;
    if (ack.scl < outcome_.pg_tails[ack.pg]) return progress::waiting;  // not holding the chain
    finish_replacement(ack.pg, ack.slot);
    truncate_acks_[ack.pg] |= storage::segment_mask{1} << members.identity(ack.slot);
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      if (!context_.membership(pg).quorums(context_.sizes()).write_satisfied(truncate_acks_[pg])) {
        return progress::waiting;
      }
    }
    return progress::recovered;
  }

  // This recovery's decision: the ranges it found, plus its own above VDL.
  [[nodiscard]] storage::truncation_history decided_history() const {
    storage::truncation_history decision{proposed_, outcome_.earlier};
    if (context_.options().truncate_on_recovery) decision.ranges.push_back(outcome_.truncation);
    return decision;
  }

  // The SCL each answering segment reported, at most the recovered VDL: the new writer counts
  // them as acknowledged.
  template <class visitor>
  void for_each_answer(visitor&& visit) const {
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      for (const auto& [slot, summary] : answers_[pg]) {
        visit(pg, slot, std::min(summary.scl, outcome_.vdl));
      }
    }
  }

 private:
  // Names this recovery round: the same instance asking again in the same round is not a rival,
  // but a new round (after a crash, say) must win its epoch afresh.
  [[nodiscard]] std::uint64_t proposer_id() const {
    return (static_cast<std::uint64_t>(context_.self().value) << 32) | (round_ & 0xffffffffULL);
  }

  void send_queries() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (answers_[pg].contains(slot)) continue;
        context_.send_to_segment(pg, slot,
                                 storage::recovery_query{round_, proposed_, pg, proposer_id()});
      }
    }
  }

  [[nodiscard]] bool every_pg_has_read_quorum() const {
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      storage::segment_mask answered = 0;
      for (const auto& [slot, summary] : answers_[pg]) {
        answered |= storage::segment_mask{1} << context_.membership(pg).identity(slot);
      }
      if (!context_.membership(pg).quorums(context_.sizes()).read_satisfied(answered)) {
        return false;
      }
    }
    return true;
  }

  void begin_truncation() {
    std::vector<pg_answers> answers(context_.pg_count());
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      for (const auto& [slot, summary] : answers_[pg]) answers[pg].summaries.push_back(summary);
    }
    outcome_ = compute_recovery(answers, context_.options().lal);
    outcome_.truncation.by_epoch = proposed_;
    truncating_ = true;
    AURORA_ASSERT(outcome_.base <= outcome_.vdl, "recovery never sets VDL below a known VDL");
    AURORA_ASSERT(outcome_.vdl <= outcome_.vcl, "recovery's VDL <= VCL");
    AURORA_ASSERT(outcome_.truncation.from == outcome_.vdl + 1, "the truncation starts at VDL + 1");
    if (outcome_.vdl < outcome_.vcl) context_.probe("recovery: VDL below VCL");
    if (outcome_.vcl > outcome_.base) context_.probe("recovery: records above the last known VDL");
    context_.trace_event("recovery", {{"phase", std::string("computed")},
                                      {"vcl", static_cast<std::int64_t>(outcome_.vcl)},
                                      {"vdl", static_cast<std::int64_t>(outcome_.vdl)}});
    send_truncations();
  }

  void send_truncations() {
    const storage::truncation_history decision = decided_history();
    for (pg_id pg = 0; pg < static_cast<pg_id>(context_.pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const auto bit = storage::segment_mask{1} << context_.membership(pg).identity(slot);
        if ((truncate_acks_[pg] & bit) != 0) continue;
        context_.send_to_segment(pg, slot,
                                 storage::truncate_request{round_, proposed_, pg, decision,
                                                           outcome_.kept[pg], proposer_id()});
      }
    }
  }

  // A replacement that reports, after this recovery's truncation, an SCL at the PG's recovered
  // tail holds every record the recovery keeps: it is a copy, and the lost identity leaves the
  // group. Without this, a PG that lost three disks at once could never recover: the old member
  // set has only three live members left (no write quorum of it for the truncation), and a
  // replacement could be confirmed only by an open writer. Recovery needs a read quorum of either
  // set [P18 §4]; the new epoch and truncation then go to a write quorum of the new one.
  void finish_replacement(pg_id pg, int slot) {
    storage::pg_membership& members = context_.membership_to_change(pg);
    if (!members.hydrating(slot) || !context_.designated()) return;
    members.finish_replacement(slot);
    context_.probe("replacement hydrated during recovery");
    context_.trace_event("membership", {{"pg", static_cast<std::int64_t>(pg)},
                                        {"slot", static_cast<std::int64_t>(slot)},
                                        {"change", std::string("replacement hydrated")}});
  }

  instance_context& context_;
  std::uint64_t round_;
  storage::epoch proposed_;  // from the storage metadata service
  bool truncating_ = false;
  std::deque<queued_write> waiting_;
  std::vector<std::map<int, storage::recovery_summary>> answers_;  // per PG, by slot
  std::vector<storage::segment_mask> truncate_acks_;               // per PG
  recovery_outcome outcome_;
};

}  // namespace aurora::db
