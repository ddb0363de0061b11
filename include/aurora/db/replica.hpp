// A read replica: applies the writer's redo stream to a page cache, reads at the VDL it was sent.
//
// [P17 §4.2.4] Aurora's replicas share the writer's storage volume and write nothing. The writer
// ships them its redo stream — the log records it allocates, and its VDL — and a replica:
//  - applies a record only if its page is in the replica's cache; otherwise it discards it (the
//    page, when next read, comes from storage, which has the record);
//  - applies only records at or below the VDL it was sent (they can never be truncated);
//  - applies whole mini-transactions (MTRs) at a time: VDL is always an MTR's last record (CPL),
//    so "up to VDL" never splits one.
// Its read point is the newest VDL it applied. A read is served from the cache when it holds the
// key, else from one complete segment at the read point (db/storage_read.hpp); the version that
// storage returns is cached when the read point has not moved meanwhile and the stream since
// then has no gap, so that every later record of the page reaches the cache.
// In the model a cached page is one key's version (the unit a storage read returns); the cache
// holds at most `cache_keys_max` of them and evicts the oldest first.
//
// The stream is ordered: each notice names where it continues the stream (`stream_from`, the
// last record shipped before it). A notice that arrives early waits for the ones before it (up to
// `max_waiting_notices`, and for at most the instance's `replica_gap_wait`); one that was lost
// leaves a gap the replica cannot fill, so it drops its cache and restarts the stream from the
// oldest notice it holds — reads then go to storage until pages are cached again. A notice from a
// newer writer (a higher epoch) does the same: the old writer's records above its VDL may have been
// truncated.
//
// With the VDL come each PG's last record at or below it (what "complete" means for a read at
// that point) and the writer's truncation decision (a replica's reads carry it). A replica's read
// point only moves forward, and a notice from an epoch older than one the instance has heard of
// is ignored (by the instance). The replica answers with the lowest read point its reads in
// flight use, which holds the writer's garbage collection (PGMRPL). Until the first notice
// arrives a replica has no read point and refuses reads. An instance that is not the writer (and
// not recovering) is a replica: this state lives only in that role.
//
// Two unsafe teaching variants change what is applied (db/teaching_variant.hpp):
// `replica-above-vdl` applies every record as it arrives; `replica-split-mtr` applies records
// up to the writer's VCL, which may end inside an MTR. Both still report the VDL as the read
// point, so that the cache serves versions the read point does not cover.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aurora/db/instance_context.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::db {

class replica {
 public:
  // Notices held while an earlier one is missing, before the replica gives up waiting for it.
  static constexpr std::size_t max_waiting_notices = 16;

  // The read point, with what a read at it needs.
  struct read_position {
    storage::epoch writer_epoch = 0;  // the epoch of the writer that sent it
    lsn read_point = no_lsn;
    std::vector<lsn> pg_tails;                // each PG's last record at or below the read point
    storage::truncation_history truncations;  // that writer's decision
  };

  // What a notice did to the replica.
  struct progress {
    bool moved = false;          // the read point moved (or stayed) to a newer notice's VDL
    bool dropped_cache = false;  // a gap or a new writer: the cache was emptied
  };

  explicit replica(replica_apply apply = replica_apply::up_to_vdl, std::size_t cache_max = 4'096)
      : apply_(apply), cache_max_(cache_max) {}

  [[nodiscard]] bool ready() const { return position_.has_value(); }
  [[nodiscard]] lsn read_point() const { return position_ ? position_->read_point : no_lsn; }
  [[nodiscard]] const std::optional<read_position>& position() const { return position_; }
  [[nodiscard]] std::size_t cached_pages() const { return cache_.size(); }

  // A writer's notice (already known to be of an epoch at least as new as any heard of).
  progress on(vdl_notice& notice, int pg_count) {
    progress result;
    if (notice.volume_epoch > stream_epoch_ || !position_) {  // a new writer's stream
      result.dropped_cache = !cache_.empty();
      waiting_.clear();
      restart_stream(notice.volume_epoch, notice.stream_from);
    }
    if (notice.stream_from < stream_tail_) return result;  // a duplicate or an old notice
    if (notice.stream_from > stream_tail_) {               // an earlier notice is missing
      hold_early(std::move(notice));
      if (waiting_.size() <= max_waiting_notices) return result;
      const progress given_up = give_up_gap(pg_count);
      return {given_up.moved, given_up.dropped_cache || result.dropped_cache};
    }
    result.moved = accept(notice, pg_count);
    result.moved = drain(pg_count) || result.moved;
    return result;
  }

  // True while an early notice waits for a missing one; `oldest_waiting` names where it
  // continues the stream.
  [[nodiscard]] bool waiting() const { return !waiting_.empty(); }
  [[nodiscard]] lsn oldest_waiting() const {
    return waiting_.empty() ? no_lsn : waiting_.begin()->first;
  }

  // The missing notice is given up (lost, or waited for too long: the instance's timer decides):
  // the cache is emptied and the stream restarts at the oldest notice that arrived.
  progress give_up_gap(int pg_count) {
    progress result;
    if (waiting_.empty()) return result;
    result.dropped_cache = !cache_.empty();
    restart_stream(stream_epoch_, waiting_.begin()->first);
    result.moved = drain(pg_count);
    return result;
  }

  // The cached version of `key` (none: not cached; a cached "no value" has version no_lsn).
  [[nodiscard]] const std::optional<storage::version>* cached(key_id key) const {
    const auto found = cache_.find(key);
    return found == cache_.end() ? nullptr : &found->second;
  }

  // Storage answered a read of `key` at `read_point`: cache the page if every later record of it
  // will reach the cache (the read point is still current and the stream since has no gap).
  void on_page_read(key_id key, lsn read_point, const std::optional<storage::version>& found) {
    if (!position_ || read_point != position_->read_point || read_point < cacheable_from_) return;
    if (cache_.contains(key)) return;
    if (cache_.size() >= cache_max_) {
      cache_.erase(arrival_.front());
      arrival_.pop_front();
    }
    cache_.emplace(key, found);
    arrival_.push_back(key);
    AURORA_ASSERT(cache_.size() == arrival_.size() && cache_.size() <= cache_max_,
                  "the cache holds at most its bound, each page once");
  }

 private:
  // Keeps an early notice. Notices without records continue the stream from the same place, so
  // of two that do, the one sent last wins: the higher VDL, then the one with records (the
  // writer ships records once, and its VDL never goes back).
  void hold_early(vdl_notice notice) {
    const auto [at, added] = waiting_.try_emplace(notice.stream_from, std::move(notice));
    if (added) return;
    vdl_notice& held = at->second;
    const bool later = notice.vdl > held.vdl ||
                       (notice.vdl == held.vdl && held.records.empty() && !notice.records.empty());
    if (later) held = std::move(notice);
  }

  // Accepts the early notices that now continue the stream, in order.
  bool drain(int pg_count) {
    bool moved = false;
    while (!waiting_.empty() && waiting_.begin()->first <= stream_tail_) {
      vdl_notice next = std::move(waiting_.begin()->second);
      waiting_.erase(waiting_.begin());
      if (next.stream_from == stream_tail_) moved = accept(next, pg_count) || moved;
    }
    return moved;
  }

  // Starts the stream afresh at `from` for the writer of `epoch`: nothing cached, nothing pending,
  // and no early notice from before `from`.
  void restart_stream(storage::epoch epoch, lsn from) {
    cache_.clear();
    arrival_.clear();
    pending_.clear();
    std::erase_if(waiting_, [from](const auto& each) { return each.first < from; });
    stream_epoch_ = epoch;
    stream_tail_ = from;
    cacheable_from_ = from;
  }

  // The next notice in stream order: its records join the pending ones, whole MTRs up to the
  // apply limit reach the cache, and the read point moves to its VDL.
  bool accept(vdl_notice& notice, int pg_count) {
    AURORA_ASSERT(notice.stream_from == stream_tail_, "notices are accepted in stream order");
    for (const storage::log_record& each : notice.records.get()) {
      AURORA_ASSERT(each.id > stream_tail_, "the stream's LSNs increase");
      pending_.push_back(each);
      stream_tail_ = each.id;
    }
    apply_pending(apply_limit(notice));
    const lsn before = read_point();
    if (notice.vdl < before) return false;
    AURORA_ASSERT(notice.pg_tails.size() == static_cast<std::size_t>(pg_count),
                  "a VDL notice names every PG's tail");
    position_ = read_position{notice.volume_epoch, notice.vdl, std::move(notice.pg_tails),
                              std::move(notice.truncations)};
    AURORA_ASSERT(position_->read_point >= before, "a replica's read point never goes back");
    return true;
  }

  [[nodiscard]] lsn apply_limit(const vdl_notice& notice) const {
    switch (apply_) {
      case replica_apply::up_to_vdl: return notice.vdl;
      case replica_apply::up_to_vcl: return notice.vcl;         // unsafe: may split an MTR
      case replica_apply::on_arrival: return storage::max_lsn;  // unsafe: above VDL
    }
    return notice.vdl;
  }

  // Applies pending records up to `limit` in LSN order: to a cached page, or discarded.
  // (Up to VDL this is whole MTRs, since VDL is an MTR's last record.)
  void apply_pending(lsn limit) {
    while (!pending_.empty() && pending_.front().id <= limit) {
      const storage::log_record& each = pending_.front();
      AURORA_ASSERT(apply_ != replica_apply::up_to_vdl || each.id <= limit,
                    "a replica applies nothing above VDL");
      const auto found = cache_.find(each.key);
      if (found != cache_.end()) found->second = storage::version{each.id, each.value};
      pending_.pop_front();
    }
  }

  replica_apply apply_;
  std::size_t cache_max_;
  std::optional<read_position> position_;    // none until the first notice
  storage::epoch stream_epoch_ = 0;          // the writer whose stream this is
  lsn stream_tail_ = no_lsn;                 // the last record received in stream order
  lsn cacheable_from_ = no_lsn;              // the stream has no gap since here
  std::deque<storage::log_record> pending_;  // received, not yet applied (above the limit)
  std::map<lsn, vdl_notice> waiting_;        // early notices, by where they continue
  std::unordered_map<key_id, std::optional<storage::version>> cache_;  // looked up, never iterated
  std::deque<key_id> arrival_;  // cached keys, oldest first (eviction order)
};

}  // namespace aurora::db
