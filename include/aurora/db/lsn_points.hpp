// The writer's LSN points: PGCL per protection group, VCL and VDL for the volume.
//
// [P17 §4.1, P18 §2.3] Definitions, exactly as the papers give them:
//  - SCL (segment complete LSN): the highest LSN below which a segment has every record of its
//    PG; each storage node reports it in every acknowledgement;
//  - PGCL (protection group complete LSN): the highest LSN that a write quorum of the PG has
//    complete, i.e. the largest L such that the segments with SCL >= L satisfy the PG's write
//    quorum set;
//  - VCL (volume complete LSN): the highest LSN below which every record of the volume is
//    durable: walking the records in LSN order, VCL advances over record r while PGCL(r.pg) >=
//    r.id;
//  - VDL (volume durable LSN): the highest consistency point (CPL: last record of a
//    mini-transaction) at or below VCL. Example: complete to 1007 with CPLs 900, 1000, 1100 gives
//    VDL = 1000.
// A transaction commits when VDL reaches its commit LSN. This class keeps the records above VDL
// (the writer resends them to segments that fall behind) and is pure bookkeeping: no messages.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/membership.hpp"
#include "aurora/storage/protection_group.hpp"
#include "aurora/storage/quorum.hpp"

namespace aurora::db {

using storage::lsn;
using storage::no_lsn;
using storage::pg_id;

class lsn_points {
 public:
  // `sizes` must count the model's segments (storage/protection_group.hpp): a quorum of 5 out of
  // V = 9 copies would otherwise count acknowledgements out of 6 segments.
  lsn_points(storage::quorum_sizes sizes, int protection_groups)
      : sizes_(checked(sizes)), pgs_(static_cast<std::size_t>(protection_groups)) {}

  [[nodiscard]] lsn vcl() const { return vcl_; }
  [[nodiscard]] lsn vdl() const { return vdl_; }
  [[nodiscard]] lsn pgcl(pg_id pg) const { return pgs_.at(pg).pgcl; }
  // The SCL a slot last reported, from the disk it reported from.
  [[nodiscard]] lsn acked_scl(pg_id pg, int slot) const { return pgs_.at(pg).scl[slot]; }
  // True once the slot's current disk has acknowledged anything.
  [[nodiscard]] bool heard_from(pg_id pg, int slot,
                                const storage::pg_membership& membership) const {
    const pg_state& state = pgs_.at(pg);
    return state.heard[slot] && state.disk[slot] == membership.disk(slot);
  }
  // The same, or none if the disk it came from has since been replaced.
  [[nodiscard]] lsn acked_scl(pg_id pg, int slot, const storage::pg_membership& membership) const {
    const pg_state& state = pgs_.at(pg);
    return state.disk[slot] == membership.disk(slot) ? state.scl[slot] : no_lsn;
  }
  [[nodiscard]] const std::deque<storage::log_record>& above_vdl() const { return tail_; }

  // Starts a writer's life at a recovered (or initial) VDL: VCL = VDL, nothing in flight;
  // `pg_tails` are each PG's last record at or below VDL (none: no record yet).
  void reset(lsn vdl, const std::vector<lsn>& pg_tails = {}) {
    vcl_ = vdl_ = vdl;
    tail_.clear();
    vcl_position_ = 0;
    for (std::size_t pg = 0; pg < pgs_.size(); ++pg) {
      pgs_[pg] = pg_state{};
      if (pg < pg_tails.size()) pgs_[pg].durable_tail = pg_tails[pg];
      AURORA_ASSERT(pgs_[pg].durable_tail <= vdl, "a PG's durable tail lies at or below VDL");
    }
  }

  // The last record of the PG at or below VDL: a segment complete to here holds every
  // acknowledged record of its PG.
  [[nodiscard]] lsn durable_tail(pg_id pg) const { return pgs_.at(pg).durable_tail; }

  // A newly allocated record (records arrive in increasing LSN order).
  void append(const storage::log_record& record) {
    AURORA_ASSERT(tail_.empty() || tail_.back().id < record.id, "LSNs increase");
    AURORA_ASSERT(record.id > vdl_, "new records lie above VDL");
    tail_.push_back(record);
  }

  // A segment reports its SCL. Returns true if VDL moved.
  bool acknowledge(pg_id pg, int slot, std::uint32_t disk, lsn scl,
                   const storage::pg_membership& membership) {
    if (disk != membership.disk(slot)) return false;  // a late word from a lost disk
    pg_state& state = pgs_.at(pg);
    if (state.disk[slot] != disk) state.scl[slot] = no_lsn;  // a new disk starts from nothing
    state.disk[slot] = disk;
    state.heard[slot] = true;
    state.scl[slot] = std::max(state.scl[slot], scl);
    const lsn before = state.pgcl;
    state.pgcl = compute_pgcl(state, membership, state.pgcl);  // PGCL never goes back
    AURORA_ASSERT(state.pgcl >= before, "PGCL never goes back");
    if (state.pgcl == before) return false;
    return advance();
  }

  // PGCL from SCLs: the largest reported SCL that a write quorum of every member set has reached.
  [[nodiscard]] lsn compute_pgcl(pg_id pg, const storage::pg_membership& membership) const {
    return compute_pgcl(pgs_.at(pg), membership, no_lsn);
  }

 private:
  static storage::quorum_sizes checked(storage::quorum_sizes sizes) {
    if (!storage::fits_the_model(sizes)) {
      throw usage_error("lsn_points: a quorum of " + sizes.to_string() + " counts " +
                        std::to_string(sizes.v()) + " copies, but the model's protection group " +
                        "has " + std::to_string(storage::segments_per_pg) +
                        " segments (storage/protection_group.hpp)");
    }
    return sizes;
  }

  struct pg_state {
    std::array<lsn, storage::segments_per_pg> scl{};
    std::array<std::uint32_t, storage::segments_per_pg> disk{};
    std::array<bool, storage::segments_per_pg> heard{};
    lsn pgcl = no_lsn;
    lsn durable_tail = no_lsn;
  };

  // The largest of `floor` and the reported SCLs a write quorum has reached. Only SCLs above
  // `floor` are tried: acknowledge passes the current PGCL, which it keeps if nothing beats it.
  lsn compute_pgcl(const pg_state& state, const storage::pg_membership& membership,
                   lsn floor) const {
    const storage::quorum_set quorums = membership.quorums(sizes_);
    lsn best = floor;
    for (lsn candidate : state.scl) {
      if (candidate <= best) continue;
      storage::segment_mask reached = 0;
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const bool same_disk = state.disk[slot] == membership.disk(slot);
        if (same_disk && state.scl[slot] >= candidate) {
          reached |= storage::segment_mask{1} << membership.identity(slot);
        }
      }
      if (quorums.write_satisfied(reached)) best = candidate;
    }
    return best;
  }

  // Walks VCL forward over durable records and drops the records that VDL has passed.
  bool advance() {
    const lsn vcl_before = vcl_;
    const lsn vdl_before = vdl_;
    std::size_t vdl_position = 0;
    while (vcl_position_ < tail_.size()) {
      const storage::log_record& next = tail_[vcl_position_];
      if (pgs_[next.pg].pgcl < next.id) break;
      vcl_ = next.id;
      ++vcl_position_;
      if (next.cpl) {
        vdl_ = next.id;
        vdl_position = vcl_position_;
      }
    }
    for (std::size_t index = 0; index < vdl_position; ++index) {
      pgs_[tail_[index].pg].durable_tail = tail_[index].id;
    }
    tail_.erase(tail_.begin(), tail_.begin() + static_cast<std::ptrdiff_t>(vdl_position));
    vcl_position_ -= vdl_position;
    AURORA_ASSERT(vcl_ >= vcl_before, "VCL never goes back while the writer runs");
    AURORA_ASSERT(vdl_ >= vdl_before, "VDL never goes back while the writer runs");
    AURORA_ASSERT(vdl_ <= vcl_, "VDL <= VCL: VDL is a CPL at or below VCL");
    return vdl_ != vdl_before;
  }

  storage::quorum_sizes sizes_;
  std::vector<pg_state> pgs_;
  std::deque<storage::log_record> tail_;  // records above VDL, in LSN order
  std::size_t vcl_position_ = 0;          // records of tail_ before this index are <= VCL
  lsn vcl_ = no_lsn;
  lsn vdl_ = no_lsn;
};

}  // namespace aurora::db
