// Protocol facts: what the instances decide, reported for the rule checker
// (check/protocol_rules.hpp).
//
// The black-box invariants judge outcomes (a lost write, a dirty read). Some rules of the design
// can be broken without any outcome a client could see *yet* — a write quorum counted on one
// member set only, an acknowledgement of a newer epoch counted, an LSN allocated above VDL + LAL,
// a read point inside a mini-transaction. To guard those, each instance reports the decisions it
// takes, with the inputs the rule needs, and a checker recomputes the rule on its own (never
// with the model's code). A fact is a plain value; the model never reads one back.
//  - allocated:    the writer allocated a record, at this VDL [P17 §4.2.1: LSN <= VDL + LAL];
//  - ack_counted:  the writer counts a segment's acknowledgement (SCL) toward PGCL; with the
//                  PG's membership at that moment (identities, disks, member sets) [P18 §4];
//  - points:       the writer's VCL and VDL moved [P17 §4.1];
//  - committed:    the writer acknowledges a commit to its client [P17 §4.2.2];
//  - read_started: an instance reads at a read point, from storage or (the writer) from its
//                  cache [P17 §4.2.3];
//  - replica_point: a replica took a VDL its writer sent as its read point [P17 §4.2.4];
//  - read_answered: a segment answered a read, with its SCL then [P17 §4.2.3];
//  - failover:     the control plane promoted another instance [UG];
//  - gc_refused:   a segment said a read's versions were already garbage-collected;
//  - truncated:    a recovery finished: its VDL and its truncation range [P17 §4.3, P18 §2.4];
//  - opened:       an instance opened the volume as the writer of an epoch;
//  - restarted:    an instance crashed: it lost everything volatile (its read point, the epoch
//                  it follows), so what it does next owes nothing to what it did before.
#pragma once

#include <array>
#include <cstdint>
#include <variant>

#include "aurora/sim/time.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/quorum.hpp"
#include "aurora/storage/segment.hpp"

namespace aurora::db::facts {

using storage::epoch;
using storage::lsn;

// Instances are numbered from 1 (db1, db2, ...).
struct allocated {
  int instance = 0;
  epoch writer_epoch = 0;
  lsn vdl = storage::no_lsn;  // the writer's VDL when it allocated
  storage::log_record record;
};

// A PG's membership as the control plane holds it: each slot's identity and disk, and the member
// sets a write quorum must satisfy (one, or two while a segment is replaced).
struct membership_snapshot {
  std::array<int, storage::segments_per_pg> identity{};
  std::array<std::uint32_t, storage::segments_per_pg> disk{};
  std::array<storage::segment_mask, storage::quorum_set::max_sets> sets{};
  int set_count = 1;
};

struct ack_counted {
  int instance = 0;
  epoch writer_epoch = 0;
  epoch ack_epoch = 0;
  storage::pg_id pg = 0;
  int slot = 0;
  std::uint32_t disk = 0;
  lsn scl = storage::no_lsn;
  membership_snapshot members;
};

struct points {
  int instance = 0;
  epoch writer_epoch = 0;
  lsn vcl = storage::no_lsn;
  lsn vdl = storage::no_lsn;
};

struct committed {
  int instance = 0;
  epoch writer_epoch = 0;
  lsn commit = storage::no_lsn;
  lsn vdl = storage::no_lsn;  // the writer's VDL when it acknowledged
};

struct read_started {
  int instance = 0;
  bool as_writer = false;
  epoch reader_epoch = 0;  // the writer's own, or the epoch of the writer a replica follows
  storage::pg_id pg = 0;
  lsn read_point = storage::no_lsn;
  lsn from_cache = storage::no_lsn;  // the version the writer served from its cache, if it did
};

// A replica took the VDL its writer sent as its read point.
struct replica_point {
  int instance = 0;
  epoch writer_epoch = 0;
  lsn read_point = storage::no_lsn;
};

// A segment answered a read: it must have been complete to `complete_to`, the PG's last record
// at or below the read point.
struct read_answered {
  int instance = 0;
  storage::pg_id pg = 0;
  int slot = 0;
  lsn read_point = storage::no_lsn;
  lsn complete_to = storage::no_lsn;
  lsn segment_scl = storage::no_lsn;
};

// The control plane failed over from `old_writer` to `target`; `old_reachable` when the old
// writer was up and the control plane could reach it: it must then stop serving as the writer
// at once (the model restarts it) [UG].
struct failover {
  int old_writer = 0;
  int target = 0;
  bool old_reachable = false;
};

struct gc_refused {
  int instance = 0;
  bool as_writer = false;
  storage::pg_id pg = 0;
  int slot = 0;
  lsn read_point = storage::no_lsn;
};

struct truncated {
  int instance = 0;
  epoch writer_epoch = 0;
  lsn vdl = storage::no_lsn;        // the VDL the recovery computed
  storage::truncation_range range;  // the writer opens above it
  bool written = true;  // false in the unsafe variant that never writes the range to storage
};

struct opened {
  int instance = 0;
  epoch writer_epoch = 0;
};

struct restarted {
  int instance = 0;
};

using fact = std::variant<allocated, ack_counted, points, committed, read_started, replica_point,
                          read_answered, gc_refused, truncated, opened, failover, restarted>;

// A fact with the simulated time and the scenario step it happened at.
struct stamped {
  sim::time_point at{};
  int step = -1;
  fact what;
};

}  // namespace aurora::db::facts
