// The wire: every message that crosses the simulated network, as one variant.
//
// The storage protocol (storage/messages.hpp) plus what clients and database instances say:
// client requests and replies, and the VDL notices a writer sends its read replicas. The network
// and the storage nodes are templates on this type; `message_type` and `message_summary` name
// and describe a message in traces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/sim/time.hpp"
#include "aurora/storage/messages.hpp"

namespace aurora::db {

using storage::key_id;
using storage::lsn;

// Client -> instance: one transaction writing these keys. With `hold`, the transaction stays
// open that long at the writer before it commits (a long-running transaction, `write ... hold`).
struct client_write {
  std::uint64_t op = 0;
  std::vector<std::pair<key_id, std::int64_t>> puts;
  sim::duration hold{};
};

// Client -> instance: read one key at the instance's read point.
struct client_read {
  std::uint64_t op = 0;
  key_id key = 0;
  // Sent through the cluster (writer) endpoint: only the writer may answer it. An instance that
  // stopped being the writer while the request was in flight refuses it rather than answer from
  // a replica's older read point (the client asked for read-after-commit).
  bool to_writer = false;
};

enum class reply_status : std::uint8_t {
  ok,
  refused,        // definitely not done (not the writer, queue full): history `fail`
  indeterminate,  // the writer was deposed with it in flight: history `info`
};

struct client_reply {
  std::uint64_t op = 0;
  reply_status status = reply_status::ok;
  std::optional<std::int64_t> value;  // reads: the value found (none: no value)
  lsn at = storage::no_lsn;           // writes: the commit LSN; reads: the version's LSN
};

// Writer -> replica: the redo stream since the last notice and the volume durable LSN; replicas
// apply the records to cached pages up to VDL and read at it [P17 §4.2.4].
struct vdl_notice {
  storage::epoch volume_epoch = 0;
  lsn stream_from = storage::no_lsn;  // the last record shipped before these: the stream's order
  storage::shared_records records;    // the records allocated since, in LSN order
  lsn vdl = storage::no_lsn;
  lsn vcl = storage::no_lsn;  // what the unsafe `replica-split-mtr` applies up to
  std::vector<lsn> pg_tails;  // each PG's last record at or below VDL (what "complete" means)
  storage::truncation_history truncations;  // the writer's decision: replicas' reads carry it
};

// Replica -> writer: per PG, the lowest read point the replica may still read at, so that the
// writer's PGMRPL of each PG (the lowest read point of any instance that has the volume open)
// keeps those versions [P17 §4.2.3; P18 §3.4].
struct replica_feedback {
  std::vector<lsn> lowest_read_points;  // per PG [P18 §3.4]
};

using message =
    std::variant<storage::redo_batch, storage::redo_ack, storage::stale_epoch,
                 storage::read_request, storage::read_reply, storage::gossip_request,
                 storage::gossip_reply, storage::recovery_query, storage::recovery_reply,
                 storage::truncate_request, storage::truncate_ack, client_write, client_read,
                 client_reply, vdl_notice, replica_feedback>;

inline std::string_view message_type(const message& value) {
  static constexpr std::string_view names[] = {
      "redo",           "ack",      "stale-epoch",  "read",
      "read-reply",     "gossip",   "gossip-reply", "recovery",
      "recovery-reply", "truncate", "truncate-ack", "write",
      "read-request",   "reply",    "vdl",          "read-point"};
  return names[value.index()];
}

namespace detail {
inline std::string range_text(const std::vector<storage::log_record>& records) {
  if (records.empty()) return "none";
  if (records.size() == 1) return std::to_string(records.front().id);
  return std::to_string(records.front().id) + ".." + std::to_string(records.back().id);
}
}  // namespace detail

// A short, human label for traces: "LSN 5..7", "SCL 7", "read@7".
inline std::string message_summary(const message& value) {
  if (auto* batch = std::get_if<storage::redo_batch>(&value)) {
    return "LSN " + detail::range_text(batch->records.get());
  }
  if (auto* ack = std::get_if<storage::redo_ack>(&value)) return "SCL " + std::to_string(ack->scl);
  if (auto* read = std::get_if<storage::read_request>(&value)) {
    return "read@" + std::to_string(read->read_point);
  }
  if (auto* query = std::get_if<storage::recovery_query>(&value)) {
    return "epoch " + std::to_string(query->proposed_epoch);
  }
  if (auto* cut = std::get_if<storage::truncate_request>(&value)) {
    const auto& ranges = cut->history.ranges;
    if (ranges.empty() || ranges.back().by_epoch != cut->volume_epoch) {
      return "epoch " + std::to_string(cut->volume_epoch);
    }
    return "cut " + std::to_string(ranges.back().from) + ".." + std::to_string(ranges.back().to);
  }
  if (auto* notice = std::get_if<vdl_notice>(&value)) return "VDL " + std::to_string(notice->vdl);
  return std::string(message_type(value));
}

}  // namespace aurora::db
