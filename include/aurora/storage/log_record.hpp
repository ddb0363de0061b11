// Redo log records: the only thing that crosses the network from the database to storage.
//
// [P17 §3] The writer sends only redo log records to storage. Each record has a log sequence
// number (LSN), allocated by the writer, monotonically increasing and volume-wide, and three
// back-links [P18 §2.2]: to the previous record of the volume, of the record's protection group
// (PG), and of its page. The PG back-link lets a segment find the holes in its own chain and so
// compute its SCL; the volume back-link lets a recovering writer find VCL.
//
// A transaction is a sequence of mini-transactions (MTRs) that must be applied atomically; the
// last record of each MTR is a consistency point (CPL) [P17 §4.1]. In this model a client
// transaction is one MTR: one record per key it writes, in the order it lists them, the last of
// which is both
// the CPL and the commit record. That is enough to show VDL below VCL at an MTR boundary (a
// transaction that is partly durable), while keeping the page model simple.
//
// The payload is one put `key = value` on one page. Keys are interned as small integers (see
// `key_table`), so records copy cheaply.
#pragma once

#include <cstdint>
#include <limits>

namespace aurora::storage {

// A log sequence number. 0 means "none": the first record of a volume has LSN 1.
using lsn = std::uint64_t;
constexpr lsn no_lsn = 0;
constexpr lsn max_lsn = std::numeric_limits<lsn>::max();

using key_id = std::uint32_t;     // an interned key name (key_table)
using page_id = std::uint32_t;    // a page of the volume
using pg_id = std::uint32_t;      // a protection group of the volume
using volume_id = std::uint32_t;  // a volume on the storage fleet (one per cluster; the first is 0)
using txn_id = std::uint64_t;     // a client transaction
using epoch = std::uint64_t;      // a volume epoch [P18 §2.4]

struct log_record {
  lsn id = no_lsn;  // this record's LSN
  lsn previous_in_volume = no_lsn;
  lsn previous_in_pg = no_lsn;  // the segment chain back-link: SCL follows it
  lsn previous_for_page = no_lsn;
  pg_id pg = 0;
  page_id page = 0;
  txn_id txn = 0;
  key_id key = 0;
  std::int64_t value = 0;
  bool cpl = false;     // last record of its mini-transaction: a consistency point
  bool commit = false;  // the commit record of `txn`
};

}  // namespace aurora::storage
