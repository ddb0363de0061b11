// A read replica: reads from the shared volume at the VDL its writer last sent [P17 §4.2.4].
//
// Aurora's replicas share the writer's storage volume: they write nothing and read at a read
// point, the newest VDL the writer shipped them. With the VDL come each PG's last record at or
// below it (what "complete" means for a read at that point) and the writer's truncation decision
// (a replica's reads carry it, so that a segment still holding a dead writer's tail installs the
// decision before it answers). A replica's read point only moves forward, and a notice from an
// epoch older than one the instance has heard of is ignored. The replica answers with the lowest
// read point its reads in flight use, which holds the writer's garbage collection (PGMRPL).
// Until the first notice arrives a replica has no read point and refuses reads. An instance that
// is not the writer (and not recovering) is a replica: this state lives only in that role.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "aurora/db/instance_context.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::db {

class replica {
 public:
  // The read point, with what a read at it needs.
  struct read_position {
    storage::epoch writer_epoch = 0;  // the epoch of the writer that sent it
    lsn read_point = no_lsn;
    std::vector<lsn> pg_tails;                // each PG's last record at or below the read point
    storage::truncation_history truncations;  // that writer's decision
  };

  [[nodiscard]] bool ready() const { return position_.has_value(); }
  [[nodiscard]] lsn read_point() const { return position_ ? position_->read_point : no_lsn; }
  [[nodiscard]] const std::optional<read_position>& position() const { return position_; }

  // A writer's VDL notice (already known to be of an epoch at least as new as any heard of).
  // Returns true if the read point moved (or stayed) to the notice's VDL; false if the notice
  // was older than the read point, which never goes back.
  bool on(vdl_notice& notice, int pg_count) {
    const lsn before = read_point();
    if (notice.vdl < before) return false;
    AURORA_ASSERT(notice.pg_tails.size() == static_cast<std::size_t>(pg_count),
                  "a VDL notice names every PG's tail");
    position_ = read_position{notice.volume_epoch, notice.vdl, std::move(notice.pg_tails),
                              std::move(notice.truncations)};
    AURORA_ASSERT(position_->read_point >= before, "a replica's read point never goes back");
    return true;
  }

 private:
  std::optional<read_position> position_;  // none until the first notice
};

}  // namespace aurora::db
