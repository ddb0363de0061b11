// The storage protocol: what database instances and storage nodes say to each other.
//
// Every request that changes or reads storage carries the sender's volume epoch, so that storage
// nodes can refuse a deposed writer [P18 §2.4]. Acknowledgements carry the segment's SCL, which
// is what the writer needs to compute PGCL, VCL and VDL [P18 §2.3]: an ack says "I am complete up
// to here", not "I got message 17". `disk` names the incarnation of a segment's disk: it changes
// when the disk is destroyed and replaced, so a late ack from a lost disk is never counted.
// Every message names the volume it concerns (`volume`, its last member): a storage node hosts
// segments of every volume of the world's clusters (storage/fleet.hpp), and a PG number is only
// unique within its volume. A reply names the volume of the request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "aurora/storage/log_record.hpp"
#include "aurora/storage/segment.hpp"

namespace aurora::storage {

// An immutable list of records shared by the copies of one batch: the writer sends the same
// records to six segments, and a message that is never changed need not be copied six times.
class shared_records {
 public:
  shared_records() = default;
  shared_records(std::vector<log_record> records)  // NOLINT: implicit, a batch is its records
      : records_(std::make_shared<const std::vector<log_record>>(std::move(records))) {}

  [[nodiscard]] const std::vector<log_record>& get() const { return records_ ? *records_ : none(); }
  [[nodiscard]] auto begin() const { return get().begin(); }
  [[nodiscard]] auto end() const { return get().end(); }
  [[nodiscard]] std::size_t size() const { return get().size(); }
  [[nodiscard]] bool empty() const { return get().empty(); }
  [[nodiscard]] const log_record& front() const { return get().front(); }
  [[nodiscard]] const log_record& back() const { return get().back(); }

 private:
  static const std::vector<log_record>& none() {
    static const std::vector<log_record> empty;
    return empty;
  }
  std::shared_ptr<const std::vector<log_record>> records_;
};

// Writer -> segment: records of one PG, the writer's VDL and PGMRPL, and the latest truncation.
struct redo_batch {
  epoch volume_epoch = 0;
  pg_id pg = 0;
  shared_records records;
  lsn vdl = no_lsn;
  lsn pgmrpl = no_lsn;
  truncation_history truncations;  // the writer's recovery decision (none: decided_by 0)
  volume_id volume = 0;
};

// Segment -> writer: "my chain is complete up to `scl`".
struct redo_ack {
  epoch volume_epoch = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  lsn scl = no_lsn;
  volume_id volume = 0;
};

// Segment -> instance: your epoch is older than mine; you are not the writer any more.
struct stale_epoch {
  epoch current = 0;
  pg_id pg = 0;
  int slot = 0;
  volume_id volume = 0;
};

struct read_request {
  std::uint64_t id = 0;
  epoch volume_epoch = 0;
  pg_id pg = 0;
  key_id key = 0;
  lsn read_point = no_lsn;
  // The PG's last record at or below the read point: a segment is complete with respect to the
  // read point when its SCL reaches this [P17 §4.2.3] (a PG with no recent records has an SCL
  // below the volume's read point and is still complete).
  lsn complete_to = no_lsn;
  // The truncation decision of the reader's epoch (the one the writer it follows opened with).
  // A segment that took the new epoch from a recovery query but missed that recovery's
  // truncation still holds the dead writer's tail; read at a point above the truncated range, it
  // would serve it. So the segment installs this decision before it answers, or refuses.
  truncation_history truncations;
  volume_id volume = 0;
};

enum class read_status : std::uint8_t { ok, behind_read_point, below_gc_point };

struct read_reply {
  std::uint64_t id = 0;
  pg_id pg = 0;
  int slot = 0;
  read_status status = read_status::ok;
  std::optional<version> found;
  lsn scl = no_lsn;  // the segment's SCL when it answered
  // The request's read point and completeness bound, echoed: a reader may move a read to a newer
  // read point while an earlier attempt is in flight (a replica whose read point was collected),
  // and an answer holds for the read point it was asked at.
  lsn read_point = no_lsn;
  lsn complete_to = no_lsn;
  volume_id volume = 0;
};

// Segment -> peer segment: "I am complete up to `scl`; send what I lack".
struct gossip_request {
  pg_id pg = 0;
  int slot = 0;
  lsn scl = no_lsn;
  epoch volume_epoch = 0;
  epoch truncations_decided_by = 0;
  volume_id volume = 0;
};

struct gossip_reply {
  pg_id pg = 0;
  gossip_payload payload;
  volume_id volume = 0;
};

// Recovering instance -> segment: adopt `proposed_epoch` (fencing the old writer) and describe
// your chain.
struct recovery_query {
  std::uint64_t round = 0;
  epoch proposed_epoch = 0;
  pg_id pg = 0;
  std::uint64_t proposer = 0;  // the recovering instance and round (a retry is not a rival)
  volume_id volume = 0;
};

struct recovery_reply {
  std::uint64_t round = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  bool accepted = true;  // false: the proposed epoch was not newer than the segment's
  recovery_summary summary;
  volume_id volume = 0;
};

// Recovering instance -> segment: record the epoch, adopt the truncation history (with the new
// range above VDL, unless an unsafe variant skips it), and store the recovered records at or below
// VDL that the segment may lack: the recovery keeps them, so they must reach a write quorum before
// the new writer opens.
struct truncate_request {
  std::uint64_t round = 0;
  epoch volume_epoch = 0;
  pg_id pg = 0;
  truncation_history history;  // decided by this recovery: earlier ranges plus its own
  std::vector<log_record> records;
  std::uint64_t proposer = 0;  // the recovery round that proposed `volume_epoch`
  volume_id volume = 0;
};

struct truncate_ack {
  std::uint64_t round = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  lsn scl = no_lsn;  // after the truncation and the records
  volume_id volume = 0;
};

}  // namespace aurora::storage
