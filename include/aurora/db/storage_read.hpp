// Reads from storage: one segment at a time, hedged, at a read point [P17 §4.2.3].
//
// Aurora reads need no quorum. A read has a read point (the writer's VDL when the read starts,
// or a replica's read point: the newest VDL its writer sent), and any segment whose SCL is at or
// above the PG's last record at or below the read point (`complete_to`) holds the version the
// read wants. The writer knows every segment's SCL from the acknowledgements and picks, round
// robin, one known to be complete; a replica knows none and asks in turn; the segment checks
// again and says if it is behind. A slow answer is hedged: after `hedge_delay` the next segment
// is asked too, up to `read_attempts_max` attempts, and the first answer wins. A read carries the
// truncation decision its reader follows, which the segment installs before it answers.
//
// The reads in flight outlive a role change (a writer that starts a new recovery keeps them) but
// not a crash. What an attempt needs from the role the instance is in at that moment (the
// writer's acknowledged SCLs, the truncation decision followed, a replica's newer read point) it
// asks of a `read_host`: the instance (db/instance.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

#include "aurora/db/instance_context.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::db {

// What a read attempt needs from the instance's current role.
class read_host {
 public:
  // A replica's newer position: its read point and the PG's last record at or below it.
  struct replica_position {
    lsn read_point = no_lsn;
    lsn complete_to = no_lsn;
  };

  virtual ~read_host() = default;
  // The writer's LSN points (the SCLs its segments acknowledged); none unless it is the writer.
  [[nodiscard]] virtual const lsn_points* writer_points() const = 0;
  // The truncation decision this instance's reads follow: the writer's own, or the one a
  // replica's writer sent with the read point.
  [[nodiscard]] virtual const storage::truncation_history& truncations_followed() const = 0;
  // A replica's current read point for PG `pg`; none unless it is a replica that has one.
  [[nodiscard]] virtual std::optional<replica_position> replica_read_point(pg_id pg) const = 0;
  // Storage answered a read of `key` at `read_point` (a replica may cache the page).
  virtual void on_page_read(key_id key, lsn read_point,
                            const std::optional<storage::version>& found) = 0;
};

class storage_reads {
 public:
  storage_reads(instance_context& context, read_host& host) : context_(context), host_(host) {}

  // Starts a read of `request.key` at `read_point` (the PG complete to `complete_to`).
  // `as_writer`: started by this instance as the writer (not as a replica), in `reader_epoch`.
  void start(sim::participant_id from, const client_read& request, lsn read_point, lsn complete_to,
             bool as_writer, storage::epoch reader_epoch) {
    const std::uint64_t id = ++read_ids_;
    if (as_writer) context_.probe("a writer read went to storage");
    const pg_id pg = context_.keys().pg(request.key);
    context_.report(
        facts::read_started{context_.number(), as_writer, reader_epoch, pg, read_point});
    reads_[id] = read_state{from,
                            request.op,
                            request.key,
                            read_point,
                            complete_to,
                            0,
                            static_cast<int>(id % storage::segments_per_pg),
                            as_writer};
    try_read(id);
  }

  // A segment's answer: the value, or try another segment.
  void on(const storage::read_reply& reply) {
    auto found = reads_.find(reply.id);
    if (found == reads_.end()) return;  // answered already (hedged) or abandoned
    read_state& read = found->second;
    if (reply.status == storage::read_status::below_gc_point) {
      context_.report(facts::gc_refused{context_.number(), read.as_writer, reply.pg, reply.slot,
                                        read.read_point});
      move_to_newer_read_point(read);
    }
    if (reply.status != storage::read_status::ok) return try_read(reply.id);
    // An answer holds for the read point it was asked at, which may be older than the read's
    // current one (an earlier attempt's, before a replica moved the read on): still a snapshot
    // the reader's read point covered when the read began.
    context_.report(facts::read_answered{context_.number(), reply.pg, reply.slot, reply.read_point,
                                         reply.complete_to, reply.scl});
    const read_state done = read;
    reads_.erase(found);
    const lsn_points* writer = host_.writer_points();
    if (done.as_writer && writer != nullptr && done.read_point < writer->vdl()) {
      context_.probe("VDL passed a writer read in flight");
    }
    const std::optional<std::int64_t> value =
        reply.found ? std::optional<std::int64_t>(reply.found->value) : std::nullopt;
    if (!done.as_writer) host_.on_page_read(done.key, reply.read_point, reply.found);
    context_.answer_read(done.client, done.op, value, reply.found ? reply.found->id : no_lsn);
  }

  // The lowest read point of the reads in flight on PG `pg`, or `ceiling` if none is lower:
  // what the writer's PGMRPL of that PG and a replica's feedback hold back from garbage
  // collection [P18 §3.4].
  [[nodiscard]] lsn lowest_read_point(lsn ceiling, pg_id pg) const {
    lsn lowest = ceiling;
    for (const auto& [id, read] : reads_) {
      if (context_.keys().pg(read.key) == pg) lowest = std::min(lowest, read.read_point);
    }
    return lowest;
  }

  // A crash abandons every read in flight.
  void clear() { reads_.clear(); }

 private:
  struct read_state {
    sim::participant_id client;
    std::uint64_t op = 0;
    storage::key_id key = 0;
    lsn read_point = no_lsn;
    lsn complete_to = no_lsn;  // the PG's last record at or below the read point
    int attempts = 0;
    int next_slot = 0;
    bool as_writer = false;  // started by this instance as the writer (not as a replica)
  };

  // The versions at this read point were collected: a replica may read at its newer one.
  void move_to_newer_read_point(read_state& read) const {
    const std::optional<read_host::replica_position> newer =
        host_.replica_read_point(context_.keys().pg(read.key));
    if (!newer || newer->read_point <= read.read_point) return;
    const lsn before = read.read_point;
    read.read_point = newer->read_point;
    read.complete_to = newer->complete_to;
    AURORA_ASSERT(read.read_point > before, "a read moves only to a newer read point");
  }

  // Sends the read to the next eligible segment and arms the hedge timer.
  void try_read(std::uint64_t id) {
    auto found = reads_.find(id);
    if (found == reads_.end()) return;
    read_state& read = found->second;
    if (read.attempts >= context_.options().read_attempts_max) {
      context_.refuse(read.client, read.op);
      reads_.erase(found);
      return;
    }
    ++read.attempts;
    const pg_id pg = context_.keys().pg(read.key);
    const int slot = pick_segment(pg, read);
    context_.send_to_segment(
        pg, slot,
        storage::read_request{id, context_.known_epoch(), pg, read.key, read.read_point,
                              read.complete_to, host_.truncations_followed()});
    const int attempt = read.attempts;
    context_.net().timer(context_.self(), context_.options().hedge_delay, [this, id, attempt] {
      auto again = reads_.find(id);
      if (again != reads_.end() && again->second.attempts == attempt) {
        context_.probe("hedged read");
        try_read(id);
      }
    });
  }

  // Prefers, round robin, a segment known to be complete to the read point [P17 §4.2.3]; the
  // segment checks again. Unsafe variant: any segment, unchecked.
  int pick_segment(pg_id pg, read_state& read) const {
    const storage::pg_membership& members = context_.membership(pg);
    const lsn_points* writer = host_.writer_points();
    for (int tried = 0; tried < storage::segments_per_pg; ++tried) {
      const int slot = read.next_slot;
      read.next_slot = (read.next_slot + 1) % storage::segments_per_pg;
      if (!context_.options().reads_respect_scl) return slot;
      const bool known_complete =
          writer == nullptr || writer->acked_scl(pg, slot, members) >= read.complete_to;
      if (known_complete && !members.hydrating(slot)) return slot;
    }
    const int slot = read.next_slot;  // none known: ask anyway; the segment will say if behind
    read.next_slot = (read.next_slot + 1) % storage::segments_per_pg;
    return slot;
  }

  instance_context& context_;
  read_host& host_;
  std::map<std::uint64_t, read_state> reads_;
  std::uint64_t read_ids_ = 0;
};

}  // namespace aurora::db
