// A read replica's redo stream and page cache (db/replica.hpp) [P17 §4.2.4], driven by hand-made
// notices: what it applies (cached pages only, whole MTRs, nothing above VDL), how it keeps the
// stream's order, and when it must forget its cache. End-to-end replica reads are in db_test.cpp.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "aurora/db/replica.hpp"

namespace aurora::db {
namespace {

// The record of `key` at LSN `id`; `cpl`: the last record of its MTR.
storage::log_record record(lsn id, key_id key, std::int64_t value, bool cpl = true) {
  storage::log_record made;
  made.id = id;
  made.previous_in_volume = id - 1;
  made.key = key;
  made.value = value;
  made.cpl = made.commit = cpl;
  return made;
}

// A notice of epoch `e` continuing the stream after `from`, with VDL `vdl` and VCL `vcl`.
vdl_notice notice(storage::epoch e, lsn from, std::vector<storage::log_record> records, lsn vdl,
                  lsn vcl = 0) {
  vdl_notice made;
  made.volume_epoch = e;
  made.stream_from = from;
  made.records = std::move(records);
  made.vdl = vdl;
  made.vcl = vcl == 0 ? vdl : vcl;
  made.pg_tails = {vdl};
  return made;
}

std::optional<std::int64_t> value_of(const replica& reader, key_id key) {
  const std::optional<storage::version>* page = reader.cached(key);
  if (page == nullptr || !page->has_value()) return std::nullopt;
  return (*page)->value;
}

TEST(replica, applies_records_to_cached_pages_only_and_never_above_vdl) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(7, 0, std::nullopt);  // key 7 read from storage: no value yet
  EXPECT_EQ(reader.cached_pages(), 1u);
  vdl_notice second = notice(1, 0, {record(1, 7, 10), record(2, 8, 20)}, 1);
  EXPECT_TRUE(reader.on(second, 1).moved);
  EXPECT_EQ(value_of(reader, 7), std::optional<std::int64_t>(10));
  EXPECT_EQ(reader.cached(8), nullptr) << "a record of an uncached page is discarded";
  vdl_notice third = notice(1, 2, {record(3, 7, 30)}, 2);  // LSN 3 is above VDL 2
  reader.on(third, 1);
  EXPECT_EQ(value_of(reader, 7), std::optional<std::int64_t>(10));
  vdl_notice fourth = notice(1, 3, {}, 3);
  reader.on(fourth, 1);
  EXPECT_EQ(value_of(reader, 7), std::optional<std::int64_t>(30));
  EXPECT_EQ(reader.read_point(), 3u);
}

TEST(replica, applies_a_whole_mtr_only_when_vdl_covers_its_last_record) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(1, 0, std::nullopt);
  reader.on_page_read(2, 0, std::nullopt);
  // One MTR writes keys 1 and 2 (LSNs 1 and 2); VCL reached 1, VDL is still 0.
  vdl_notice partial = notice(1, 0, {record(1, 1, 5, false), record(2, 2, 6)}, 0, 1);
  reader.on(partial, 1);
  EXPECT_EQ(value_of(reader, 1), std::nullopt);
  EXPECT_EQ(value_of(reader, 2), std::nullopt);
  vdl_notice whole = notice(1, 2, {}, 2);
  reader.on(whole, 1);
  EXPECT_EQ(value_of(reader, 1), std::optional<std::int64_t>(5));
  EXPECT_EQ(value_of(reader, 2), std::optional<std::int64_t>(6));
}

// The unsafe teaching variant applies up to VCL: half the MTR becomes visible.
TEST(replica, the_split_mtr_variant_applies_half_an_mtr) {
  replica reader(replica_apply::up_to_vcl);
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(1, 0, std::nullopt);
  vdl_notice partial = notice(1, 0, {record(1, 1, 5, false), record(2, 2, 6)}, 0, 1);
  reader.on(partial, 1);
  EXPECT_EQ(value_of(reader, 1), std::optional<std::int64_t>(5));
  EXPECT_EQ(reader.read_point(), 0u) << "it still claims VDL as its read point";
}

TEST(replica, an_early_notice_waits_for_the_one_before_it) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(4, 0, std::nullopt);
  vdl_notice one = notice(1, 0, {record(1, 4, 1)}, 1);
  vdl_notice two = notice(1, 1, {record(2, 4, 2)}, 2);
  EXPECT_FALSE(reader.on(two, 1).moved) << "notice two continues a stream the replica lacks";
  EXPECT_EQ(reader.read_point(), 0u);
  EXPECT_TRUE(reader.on(one, 1).moved);
  EXPECT_EQ(reader.read_point(), 2u);
  EXPECT_EQ(value_of(reader, 4), std::optional<std::int64_t>(2));
  vdl_notice again = notice(1, 0, {record(1, 4, 1)}, 1);  // a duplicate: ignored
  reader.on(again, 1);
  EXPECT_EQ(value_of(reader, 4), std::optional<std::int64_t>(2));
}

// Two early notices without records continue the stream from the same place: the one sent last
// (the higher VDL) is the one kept, so the read point does not stop at the older VDL.
TEST(replica, of_two_early_notices_from_one_place_the_later_is_kept) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  vdl_notice later = notice(1, 1, {}, 5);
  vdl_notice earlier = notice(1, 1, {}, 3);
  reader.on(later, 1);
  reader.on(earlier, 1);
  vdl_notice missing = notice(1, 0, {record(1, 9, 1)}, 1);
  reader.on(missing, 1);
  EXPECT_EQ(reader.read_point(), 5u);
  EXPECT_FALSE(reader.waiting());
}

// A missing notice given up (the instance's timer): the stream restarts at the oldest early one.
TEST(replica, giving_up_a_gap_moves_the_read_point_to_the_early_notices) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(4, 0, std::nullopt);
  vdl_notice early = notice(1, 1, {record(2, 4, 7)}, 2);
  reader.on(early, 1);
  EXPECT_TRUE(reader.waiting());
  EXPECT_EQ(reader.oldest_waiting(), 1u);
  const replica::progress made = reader.give_up_gap(1);
  EXPECT_TRUE(made.moved);
  EXPECT_TRUE(made.dropped_cache);
  EXPECT_EQ(reader.read_point(), 2u);
  EXPECT_EQ(reader.cached(4), nullptr);
}

TEST(replica, a_lost_notice_or_a_new_writer_empties_the_cache) {
  replica reader;
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  reader.on_page_read(4, 0, std::nullopt);
  // Notice 1 (LSN 1) is lost; the ones after it wait, then the replica gives it up.
  bool dropped = false;
  for (lsn id = 2; id <= 2 + replica::max_waiting_notices; ++id) {
    vdl_notice later = notice(1, id - 1, {record(id, 9, 0)}, id);
    dropped |= reader.on(later, 1).dropped_cache;
  }
  EXPECT_TRUE(dropped);
  EXPECT_EQ(reader.cached(4), nullptr);
  EXPECT_EQ(reader.read_point(), 2u + replica::max_waiting_notices);
  // A page read at an older read point is not cached (records since may have been discarded).
  reader.on_page_read(4, 1, std::nullopt);
  EXPECT_EQ(reader.cached(4), nullptr);
  reader.on_page_read(4, reader.read_point(), std::nullopt);
  EXPECT_NE(reader.cached(4), nullptr);
  vdl_notice newer = notice(2, 40, {}, 40);  // a new writer recovered the volume
  EXPECT_TRUE(reader.on(newer, 1).dropped_cache);
  EXPECT_EQ(reader.cached(4), nullptr);
  EXPECT_EQ(reader.read_point(), 40u);
}

TEST(replica, the_cache_keeps_its_bound_and_evicts_the_oldest_page) {
  replica reader(replica_apply::up_to_vdl, 2);
  vdl_notice first = notice(1, 0, {}, 0);
  reader.on(first, 1);
  for (key_id key = 1; key <= 3; ++key) reader.on_page_read(key, 0, std::nullopt);
  EXPECT_EQ(reader.cached_pages(), 2u);
  EXPECT_EQ(reader.cached(1), nullptr);
  EXPECT_NE(reader.cached(3), nullptr);
}

}  // namespace
}  // namespace aurora::db
