// The storage protocol: what database instances and storage nodes say to each other.
//
// Every request that changes or reads storage carries the sender's volume epoch, so that storage
// nodes can refuse a deposed writer [P18 §2.4]. Acknowledgements carry the segment's SCL, which
// is what the writer needs to compute PGCL, VCL and VDL [P18 §2.3]: an ack says "I am complete up
// to here", not "I got message 17". `disk` names the incarnation of a segment's disk: it changes
// when the disk is destroyed and replaced, so a late ack from a lost disk is never counted.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "aurora/storage/log_record.hpp"
#include "aurora/storage/segment.hpp"

namespace aurora::storage {

// Writer -> segment: records of one PG, the writer's VDL and PGMRPL, and the latest truncation.
struct redo_batch {
  epoch volume_epoch = 0;
  pg_id pg = 0;
  std::vector<log_record> records;
  lsn vdl = no_lsn;
  lsn pgmrpl = no_lsn;
  std::optional<truncation_range> truncation;
};

// Segment -> writer: "my chain is complete up to `scl`".
struct redo_ack {
  epoch volume_epoch = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  lsn scl = no_lsn;
};

// Segment -> instance: your epoch is older than mine; you are not the writer any more.
struct stale_epoch {
  epoch current = 0;
  pg_id pg = 0;
  int slot = 0;
};

struct read_request {
  std::uint64_t id = 0;
  epoch volume_epoch = 0;
  pg_id pg = 0;
  key_id key = 0;
  lsn read_point = no_lsn;
};

enum class read_status : std::uint8_t { ok, behind_read_point, below_gc_point };

struct read_reply {
  std::uint64_t id = 0;
  pg_id pg = 0;
  int slot = 0;
  read_status status = read_status::ok;
  std::optional<version> found;
};

// Segment -> peer segment: "I am complete up to `scl`; send what I lack".
struct gossip_request {
  pg_id pg = 0;
  int slot = 0;
  lsn scl = no_lsn;
  epoch volume_epoch = 0;
  std::size_t truncations_known = 0;
};

struct gossip_reply {
  pg_id pg = 0;
  gossip_payload payload;
};

// Recovering instance -> segment: adopt `proposed_epoch` (fencing the old writer) and describe
// your chain.
struct recovery_query {
  std::uint64_t round = 0;
  epoch proposed_epoch = 0;
  pg_id pg = 0;
};

struct recovery_reply {
  std::uint64_t round = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  bool accepted = true;  // false: the proposed epoch was not newer than the segment's
  recovery_summary summary;
};

// Recovering instance -> segment: record the epoch and remove the range (empty range: epoch only).
struct truncate_request {
  std::uint64_t round = 0;
  epoch volume_epoch = 0;
  pg_id pg = 0;
  std::optional<truncation_range> range;
};

struct truncate_ack {
  std::uint64_t round = 0;
  pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
};

}  // namespace aurora::storage
