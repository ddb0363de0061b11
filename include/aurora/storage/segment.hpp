// A segment: one copy of one protection group, as kept by one storage node.
//
// [P17 §3.3] A storage node receives redo records, persists them and acknowledges them in the
// foreground; in the background it finds gaps, gossips with its PG peers to fill them, coalesces
// records into page versions and garbage-collects old versions. This class is that state machine,
// without the network (storage_node.hpp carries the messages):
//  - `accept`: a record joins the hot log; duplicates are ignored; records inside a truncation
//    range are refused (they belong to a dead writer's unfinished tail);
//  - SCL (segment complete LSN) [P17 §4.2.1, P18 §2.3]: the highest LSN up to which the segment
//    holds every record of its PG chain. It advances along the `previous_in_pg` back-links: the
//    next record after SCL counts only if it links back to SCL. A record that joins the chain is
//    coalesced into the version list of its key, so a read at any read point <= SCL finds the
//    newest version at or below that point;
//  - truncation ranges with epochs [P17 §4.3, P18 §2.4]: a recovering writer removes every
//    record above VDL; the range is kept so that late copies are refused; SCL drops to the chain
//    tail below the range (the only way SCL moves backwards);
//  - the volume epoch: requests carrying an older epoch are refused (fencing a deposed writer);
//  - garbage collection below the PG minimum read point (PGMRPL) [P17 §4.2.3]: the hot log at
//    or below it is folded into a base image (the newest version of each key), so that a segment
//    keeps exactly what some reader may still ask for;
//  - gossip payloads: the records a peer lacks above its SCL, or the base image and the hot log
//    when the peer is below this segment's base (how a replacement segment hydrates).
// What is left out: page granularity inside a segment (versions are per key, which is what a
// client can observe) and checksums.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/storage/log_record.hpp"

namespace aurora::storage {

struct version {
  lsn id = no_lsn;
  std::int64_t value = 0;
};

// Records in [from, to] were removed by the recovery of epoch `by_epoch`.
struct truncation_range {
  epoch by_epoch = 0;
  lsn from = no_lsn;
  lsn to = no_lsn;
  bool operator==(const truncation_range&) const = default;
  [[nodiscard]] bool covers(lsn id) const { return id >= from && id <= to; }
};

// The truncation ranges of the volume as decided by the recovery of epoch `decided_by`.
//
// Each recovery decides the whole history: the ranges it found (the latest decision its read
// quorum knew, which includes every finished recovery's, since those are on a write quorum) plus
// its own. A recovery that did not finish may have left its decision on a few segments; the next
// decision replaces it, so its range never blocks the LSNs a later writer allocates.
struct truncation_history {
  epoch decided_by = 0;
  std::vector<truncation_range> ranges;
  bool operator==(const truncation_history&) const = default;
  [[nodiscard]] bool covers(lsn id) const {
    return std::any_of(ranges.begin(), ranges.end(),
                       [id](const auto& each) { return each.covers(id); });
  }
  [[nodiscard]] lsn highest() const {
    lsn top = no_lsn;
    for (const truncation_range& each : ranges) top = std::max(top, each.to);
    return top;
  }
};

// What a segment tells a recovering writer (see db/recovery.hpp).
struct recovery_summary {
  epoch volume_epoch = 0;
  lsn scl = no_lsn;
  lsn vdl_hint = no_lsn;           // the highest VDL a writer told this segment: durable below
  lsn tail_at_hint = no_lsn;       // the last chain record at or below min(vdl_hint, scl)
  truncation_history truncations;  // the latest decision it knows
  // The chain records in (min(vdl_hint, scl), scl]: whole records, because the recovering
  // writer must make the ones it keeps durable at a write quorum before it opens.
  std::vector<log_record> entries;
};

// A peer's answer to "I am complete up to S": what it has above S.
struct gossip_payload {
  std::optional<lsn> base_lsn;                   // set when a base image is included
  std::vector<std::pair<key_id, version>> base;  // newest version of each key at base_lsn
  std::vector<log_record> records;               // above S (or above base_lsn), in LSN order
  truncation_history truncations;
  epoch volume_epoch = 0;
  lsn vdl_hint = no_lsn;
};

class segment {
 public:
  static constexpr std::size_t gossip_batch_max = 256;  // records per gossip reply
  static constexpr std::size_t gc_hot_log_min = 16;     // fold only once the hot log is this long

  [[nodiscard]] lsn scl() const { return scl_; }
  [[nodiscard]] lsn base_lsn() const { return base_lsn_; }
  [[nodiscard]] epoch volume_epoch() const { return volume_epoch_; }
  [[nodiscard]] lsn vdl_hint() const { return vdl_hint_; }
  [[nodiscard]] const std::vector<truncation_range>& truncations() const { return history_.ranges; }
  [[nodiscard]] const truncation_history& truncation_decision() const { return history_; }
  [[nodiscard]] std::size_t hot_log_size() const { return log_.size(); }
  [[nodiscard]] lsn highest_lsn() const { return log_.empty() ? base_lsn_ : log_.back().id; }
  // How many times records were removed from the complete chain (each truncation installed),
  // for checkers: while it stands still, `holds` never turns false for any LSN. Garbage
  // collection and a gossiped base image fold records below the base, which `holds` still counts.
  [[nodiscard]] std::uint64_t removals() const { return removals_; }

  // True if this segment's complete chain holds the record (it is at or below SCL and kept).
  [[nodiscard]] bool holds(lsn id) const {
    if (id > scl_ || truncated(id)) return false;
    return id <= base_lsn_ ? true : contains(id);
  }

  // Adopts a newer volume epoch (never an older one).
  void adopt_epoch(epoch value) { volume_epoch_ = std::max(volume_epoch_, value); }
  [[nodiscard]] bool is_stale(epoch value) const { return value < volume_epoch_; }

  // A recovery proposes a new epoch: accepted if newer, or if it is the same proposer asking
  // again (a retried query); the segment then belongs to that epoch.
  bool accept_proposal(epoch proposed, std::uint64_t proposer) {
    if (proposed < volume_epoch_) return false;
    if (proposed == volume_epoch_ && proposer != epoch_proposer_) return false;
    volume_epoch_ = proposed;
    epoch_proposer_ = proposer;
    return true;
  }

  void note_vdl(lsn vdl) { vdl_hint_ = std::max(vdl_hint_, vdl); }

  // A new segment of a clone: it starts from its source PG's pages at the clone point, as a
  // base image complete up to the PG's last record `tail` of a volume whose VDL was `vdl`.
  void start_from_image(lsn tail, lsn vdl, const std::vector<std::pair<key_id, version>>& image) {
    AURORA_ASSERT(log_.empty() && versions_.empty() && base_lsn_ == no_lsn && scl_ == no_lsn,
                  "only an empty segment starts from a clone's image");
    AURORA_ASSERT(tail <= vdl, "a PG's tail at the clone point lies at or below its VDL");
    install_base(tail, image);
    note_vdl(vdl);
  }

  // Stores a record; returns false when it is refused (inside a truncation range).
  bool accept(const log_record& record) {
    AURORA_ASSERT(record.id != no_lsn, "records carry an LSN");
    if (truncated(record.id)) return false;
    if (record.id <= base_lsn_) return true;
    if (record.id > highest_lsn()) return append(record), true;
    const auto at = lower_bound(record.id);
    if (at != log_.end() && at->id == record.id) return true;  // held already
    log_.insert(at, record);
    if (record.previous_in_pg == scl_) advance_scl();  // else SCL cannot move (see advance_scl)
    return true;
  }

  // Stores records given in ascending LSN order (a redo batch, a gossip reply): the same as
  // accepting each in turn. When none is truncated, held or at or below the base, and they all
  // go to one place in the hot log (the usual case: a batch that arrives before or after its
  // neighbours, by network jitter), they are inserted at once and SCL walks the chain once.
  void accept_all(std::span<const log_record> records) {
    if (records.empty()) return;
    const auto place = insertion_point(records);
    if (!place) {
      for (const log_record& record : records) accept(record);
      return;
    }
    const bool links_to_scl = std::any_of(records.begin(), records.end(), [this](const auto& each) {
      return each.previous_in_pg == scl_;
    });
    if (*place == log_.end()) return append_all(records, links_to_scl);
    log_.insert(*place, records.begin(), records.end());
    if (links_to_scl) advance_scl();  // else SCL cannot move (see advance_scl)
  }

  // Adds one range to the current decision (as its own recovery would) and removes what it covers.
  void truncate(truncation_range range) {
    truncation_history next = history_;
    if (std::find(next.ranges.begin(), next.ranges.end(), range) != next.ranges.end()) return;
    next.ranges.push_back(range);
    next.decided_by = std::max(next.decided_by, range.by_epoch);
    AURORA_ASSERT(range.from > base_lsn_, "truncation never reaches below the GC base (<= VDL)");
    install(next);
  }

  // Adopts a recovery's decision about the truncation history and removes what it covers.
  //  - from gossip (`authoritative` false): only a strictly newer decision; a peer may hold a
  //    decision of an abandoned recovery round;
  //  - from the writer that owns the epoch (a truncation of its own recovery, or the decision a
  //    finished recovery's writer sends with its records): also one of the same epoch, which
  //    replaces an abandoned round's decision of that epoch.
  // Returns true if it installed it.
  bool install_truncations(const truncation_history& decision, bool authoritative = false) {
    if (decision.decided_by < history_.decided_by) return false;
    if (decision.decided_by == history_.decided_by && (!authoritative || decision == history_)) {
      return false;
    }
    install(decision);
    return true;
  }

  // A recovery round's truncation: accepted only from the proposer that owns the epoch here (or
  // a newer epoch). Two rounds that proposed the same epoch to disjoint read quorums cannot both
  // record it at a write quorum, so at most one of them finishes.
  [[nodiscard]] bool owned_by(epoch value, std::uint64_t proposer) const {
    return value > volume_epoch_ || (value == volume_epoch_ && proposer == epoch_proposer_);
  }
  void adopt_owned_epoch(epoch value, std::uint64_t proposer) {
    if (value > volume_epoch_ || epoch_proposer_ == UINT64_MAX) epoch_proposer_ = proposer;
    volume_epoch_ = std::max(volume_epoch_, value);
  }

  // The newest version of `key` at or below `read_point`, which must lie in [base_lsn, SCL]
  // for the answer to be exact (the storage node checks; the unsafe variant does not).
  [[nodiscard]] std::optional<version> read(key_id key, lsn read_point) const {
    if (key >= versions_.size()) return std::nullopt;
    const std::vector<version>& versions = versions_[key];
    auto after = std::upper_bound(versions.begin(), versions.end(), read_point,
                                  [](lsn point, const version& each) { return point < each.id; });
    if (after == versions.begin()) return std::nullopt;
    return *std::prev(after);
  }

  // Folds the hot log at or below min(pgmrpl, SCL) into the base image, in amortised chunks.
  void collect_garbage(lsn pgmrpl) {
    const lsn fold_to = std::min(pgmrpl, scl_);
    if (log_.size() < gc_hot_log_min || fold_to <= base_lsn_) return;
    // Fold only a prefix worth the move: at least gc_hot_log_min records and half the hot log,
    // so that the records above it are moved (amortised) a constant number of times. The log is
    // sorted, so the smallest such prefix tells at once whether there is one.
    const std::size_t least = std::max(gc_hot_log_min, (log_.size() + 1) / 2);
    if (log_[least - 1].id > fold_to) return;
    auto end = upper_bound(fold_to);
    base_lsn_ = std::prev(end)->id;
    for (auto it = log_.begin(); it != end; ++it) trim_below(versions_[it->key], base_lsn_);
    log_.erase(log_.begin(), end);
    vdl_hint_ = std::max(vdl_hint_, base_lsn_);
  }

  [[nodiscard]] gossip_payload gossip_for(lsn peer_scl) const {
    gossip_payload payload{std::nullopt, {}, {}, history_, volume_epoch_, vdl_hint_};
    lsn after = peer_scl;
    if (peer_scl < base_lsn_) {
      payload.base_lsn = base_lsn_;
      payload.base = base_image();
      after = base_lsn_;
    }
    for (auto it = upper_bound(after); it != log_.end(); ++it) {
      if (payload.records.size() == gossip_batch_max) break;
      payload.records.push_back(*it);
    }
    return payload;
  }

  void absorb(const gossip_payload& payload) {
    adopt_epoch(payload.volume_epoch);
    install_truncations(payload.truncations);
    if (payload.base_lsn && *payload.base_lsn > scl_) install_base(*payload.base_lsn, payload.base);
    note_vdl(std::min(payload.vdl_hint, scl_));
    accept_all(payload.records);
  }

  [[nodiscard]] recovery_summary summarize_for_recovery() const {
    recovery_summary summary;
    summary.volume_epoch = volume_epoch_;
    summary.scl = scl_;
    summary.vdl_hint = vdl_hint_;
    const lsn floor = std::min(vdl_hint_, scl_);
    summary.tail_at_hint = chain_tail_at_or_below(floor);
    summary.truncations = history_;
    for (auto it = upper_bound(floor); it != log_.end() && it->id <= scl_; ++it) {
      summary.entries.push_back(*it);
    }
    return summary;
  }

  // Every record of the complete chain, for checkers (not used by the protocol).
  template <class visitor>
  void for_each_version(visitor&& visit) const {
    for (key_id key = 0; key < versions_.size(); ++key) {
      for (const version& each : versions_[key]) visit(key, each);
    }
  }

 private:
  // Records at or below the GC base are never removed: they are below some VDL, and every range
  // lies above the VDL of the recovery that made it.
  void install(const truncation_history& decision) {
    adopt_epoch(decision.decided_by);
    history_ = decision;
    ++removals_;
    std::erase_if(log_, [&](const log_record& each) { return truncated(each.id); });
    for (std::vector<version>& versions : versions_) {
      std::erase_if(versions,
                    [&](const version& each) { return each.id > base_lsn_ && truncated(each.id); });
    }
    scl_ = base_lsn_;  // walk the chain again: SCL drops to the tail below the removed records
    advance_scl();
  }

  // Searches gallop from the newest record: what arrives, and SCL, are almost always near the
  // end of the hot log (out of order only by network jitter), so a search costs O(log d) for a
  // record d places from the end instead of O(log n).
  using log_iterator = std::vector<log_record>::const_iterator;
  [[nodiscard]] log_iterator upper_bound(lsn id) const {
    const auto [first, last] = window_from_back(id);
    return std::upper_bound(first, last, id,
                            [](lsn point, const log_record& each) { return point < each.id; });
  }
  [[nodiscard]] log_iterator lower_bound(lsn id) const {
    const auto [first, last] = window_from_back(id);
    return std::lower_bound(first, last, id,
                            [](const log_record& each, lsn point) { return each.id < point; });
  }
  // A range [first, last) of the hot log holding every record that lower_bound(id) and
  // upper_bound(id) may return: its records before `first` are below `id`, those from `last` on
  // are above it.
  [[nodiscard]] std::pair<log_iterator, log_iterator> window_from_back(lsn id) const {
    log_iterator last = log_.end();
    std::size_t step = 1;
    while (static_cast<std::size_t>(last - log_.begin()) > step) {
      const log_iterator probe = last - static_cast<std::ptrdiff_t>(step);
      if (probe->id < id) return {probe, last};
      last = probe + 1;
      step *= 2;
    }
    return {log_.begin(), last};
  }
  [[nodiscard]] bool contains(lsn id) const {
    auto found = lower_bound(id);
    return found != log_.end() && found->id == id;
  }
  // The common case: a record above every record held. When the chain was complete up to the
  // newest record, this record is the only candidate to extend it, so SCL moves without a search
  // (the same outcome as advance_scl, which would start at this record and stop after it).
  void append(const log_record& record) {
    const bool chain_at_tail = scl_ == highest_lsn();
    log_.push_back(record);
    if (record.previous_in_pg != scl_) return;  // SCL cannot move (see advance_scl)
    if (!chain_at_tail) return advance_scl();
    materialize(record);
    scl_ = record.id;
  }
  [[nodiscard]] bool truncated(lsn id) const {
    return !history_.ranges.empty() && history_.covers(id);
  }

  // Where records (ascending LSNs, none truncated: no ranges at all) all go as one run in the
  // hot log, if they do: above the base, none held, no record held between two of them.
  [[nodiscard]] std::optional<log_iterator> insertion_point(
      std::span<const log_record> records) const {
    AURORA_ASSERT(records.front().id != no_lsn, "records carry an LSN");
    if (!history_.ranges.empty() || records.front().id <= base_lsn_) return std::nullopt;
    for (std::size_t index = 1; index < records.size(); ++index) {
      if (records[index].id <= records[index - 1].id) return std::nullopt;
    }
    if (records.front().id > highest_lsn()) return log_.end();
    const auto at = lower_bound(records.front().id);
    if (at->id <= records.back().id) return std::nullopt;  // held, or held between them
    // Accepting them one by one, SCL could walk on past the record above them before the last
    // one is in, if that record linked to one of the others: then the walks would differ.
    const lsn link = at->previous_in_pg;
    if (link >= records.front().id && link < records.back().id) return std::nullopt;
    return at;
  }

  // Appends records above every record held (see append: the same, for several).
  void append_all(std::span<const log_record> records, bool links_to_scl) {
    if (!links_to_scl) {
      log_.insert(log_.end(), records.begin(), records.end());
      return;
    }
    for (const log_record& record : records) append(record);
  }

  // Walks the chain up from SCL. Every change to the hot log ends with SCL as far as the chain
  // goes, so a new record can move SCL only if it links straight to SCL (previous_in_pg == SCL):
  // otherwise the first record above SCL is still one that does not, and the walk would stop at
  // once. `accept` relies on this to skip the walk.
  void advance_scl() {
    for (auto it = upper_bound(scl_); it != log_.end(); ++it) {
      if (it->previous_in_pg != scl_) break;
      materialize(*it);
      scl_ = it->id;
    }
  }

  void materialize(const log_record& record) {
    if (record.key >= versions_.size()) versions_.resize(record.key + 1);
    std::vector<version>& versions = versions_[record.key];
    if (versions.empty() || versions.back().id < record.id) {
      return versions.push_back(version{record.id, record.value});
    }
    auto at = std::upper_bound(versions.begin(), versions.end(), record.id,
                               [](lsn id, const version& each) { return id < each.id; });
    if (at != versions.begin() && std::prev(at)->id == record.id) return;  // already there
    versions.insert(at, version{record.id, record.value});
  }

  [[nodiscard]] lsn chain_tail_at_or_below(lsn limit) const {
    auto it = upper_bound(std::min(limit, scl_));
    if (it == log_.begin()) return std::min(base_lsn_, limit);
    return std::prev(it)->id;
  }

  static void trim_below(std::vector<version>& versions, lsn base) {
    auto after = std::upper_bound(versions.begin(), versions.end(), base,
                                  [](lsn point, const version& each) { return point < each.id; });
    if (after - versions.begin() > 1) versions.erase(versions.begin(), std::prev(after));
  }

  [[nodiscard]] std::vector<std::pair<key_id, version>> base_image() const {
    std::vector<std::pair<key_id, version>> image;
    for (key_id key = 0; key < versions_.size(); ++key) {
      if (auto newest = read(key, base_lsn_)) image.emplace_back(key, *newest);
    }
    return image;
  }

  void install_base(lsn base, const std::vector<std::pair<key_id, version>>& image) {
    versions_.clear();
    for (const auto& [key, each] : image) {
      if (key >= versions_.size()) versions_.resize(key + 1);
      versions_[key].push_back(each);
    }
    log_.erase(log_.begin(), upper_bound(base));
    base_lsn_ = base;
    scl_ = base;
    vdl_hint_ = std::max(vdl_hint_, base);
    advance_scl();
  }

  // The hot log: records above base_lsn, sorted by LSN. A vector, not a map: records arrive
  // almost always in order (append), and garbage collection keeps it short.
  std::vector<log_record> log_;
  std::vector<std::vector<version>> versions_;  // per key, ascending LSN, all <= SCL
  truncation_history history_;
  lsn base_lsn_ = no_lsn;  // chain complete and folded up to here
  lsn scl_ = no_lsn;
  lsn vdl_hint_ = no_lsn;
  epoch volume_epoch_ = 0;
  std::uint64_t epoch_proposer_ = UINT64_MAX;  // who proposed volume_epoch_ (none at first)
  std::uint64_t removals_ = 0;                 // truncations installed (removals())
};

}  // namespace aurora::storage
