// Unit tests of the storage layer: quorums and quorum sets, PG membership, the segment state
// machine (SCL, reads, truncation, epochs, garbage collection, gossip, recovery summaries),
// placement, and one storage node on a small network.
//
// The arithmetic (quorum sets) is table-driven, as CONVENTIONS.md asks. Segment tests build log
// records by hand, so each one shows exactly which back-links make SCL move.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aurora/db/lsn_points.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/membership.hpp"
#include "aurora/storage/messages.hpp"
#include "aurora/storage/metadata_service.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/protection_group.hpp"
#include "aurora/storage/quorum.hpp"
#include "aurora/storage/segment.hpp"
#include "aurora/storage/storage_node.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::storage {
namespace {

// A mask from segment letters: "ABCG" sets bits 0, 1, 2 and 6 (A = identity 0, ... G = 6).
segment_mask mask(std::string_view letters) {
  segment_mask bits = 0;
  for (char letter : letters) bits |= segment_mask{1} << (letter - 'A');
  return bits;
}

const quorum_sizes aurora_sizes{aurora_quorum{}};

// --- quorum -------------------------------------------------------------------------------------

TEST(quorum, aurora_quorum_is_six_copies_write_four_read_three) {
  static_assert(aurora_quorum::v == 6 && aurora_quorum::vw == 4 && aurora_quorum::vr == 3);
  static_assert(aurora_quorum::is_safe);
  EXPECT_EQ(aurora_sizes.v(), 6);
  EXPECT_EQ(aurora_sizes.vw(), 4);
  EXPECT_EQ(aurora_sizes.vr(), 3);
  EXPECT_TRUE(aurora_sizes.is_safe());
  EXPECT_EQ(aurora_sizes.to_string(), "4/6 write, 3/6 read");
}

TEST(quorum, unsafe_teaching_variant_compiles_only_when_spelled_out_and_is_not_safe) {
  using write_three = quorum<6, 3, 3, safety::unsafe_teaching_variant>;
  using read_two = quorum<6, 4, 2, safety::unsafe_teaching_variant>;
  static_assert(!write_three::is_safe);
  static_assert(!read_two::is_safe);
  EXPECT_FALSE(quorum_sizes(write_three{}).is_safe());
  EXPECT_FALSE(quorum_sizes(read_two{}).is_safe());
  EXPECT_EQ(quorum_sizes(write_three{}).vw(), 3);
}

TEST(quorum, sizes_are_usable_at_compile_time) {
  constexpr quorum_sizes sizes{quorum<5, 3, 3>{}};
  static_assert(sizes.v() == 5 && sizes.vw() == 3 && sizes.vr() == 3 && sizes.is_safe());
  SUCCEED();
}

// --- quorum_set ---------------------------------------------------------------------------------

TEST(quorum_set, plain_group_writes_with_any_four_and_reads_with_any_three) {
  const quorum_set plain = quorum_set::plain(aurora_sizes);
  ASSERT_EQ(plain.member_sets(), std::vector<segment_mask>{mask("ABCDEF")});
  for (segment_mask acked = 0; acked < 64; ++acked) {
    const int count = std::popcount(acked);
    EXPECT_EQ(plain.write_satisfied(acked), count >= 4) << "mask " << acked;
    EXPECT_EQ(plain.read_satisfied(acked), count >= 3) << "mask " << acked;
  }
}

struct quorum_case {
  const char* answered;
  bool write;
  bool read;
};

// While F (5) is replaced by G (6): a write needs 4 of ABCDEF and 4 of ABCDEG; a read 3 of either.
TEST(quorum_set, replacing_f_by_g_needs_both_write_quorums_and_either_read_quorum) {
  const quorum_set during = quorum_set::plain(aurora_sizes).replacing(5, 6);
  ASSERT_EQ(during.member_sets(), (std::vector<segment_mask>{mask("ABCDEF"), mask("ABCDEG")}));
  const quorum_case table[] = {
      {"ABCD", true, true},     // 4 of both sets
      {"ABCDEFG", true, true},  // everyone
      {"ABCFG", true, true},    // ABCF in the first, ABCG in the second
      {"ABCF", false, true},    // only 3 of ABCDEG
      {"ABCG", false, true},    // only 3 of ABCDEF
      {"ABFG", false, true},    // 3 of each: a read, not a write
      {"ABG", false, true},     // reads from the second set (A, B, G)
      {"ABF", false, true},     // reads from the first set (A, B, F)
      {"AFG", false, false},    // 2 of each set
      {"FG", false, false},     //
      {"", false, false},       //
      {"CDEFG", true, true},    // CDEF and CDEG: 4 of each set
  };
  for (const quorum_case& each : table) {
    const segment_mask answered = mask(each.answered);
    EXPECT_EQ(during.write_satisfied(answered), each.write) << each.answered;
    EXPECT_EQ(during.read_satisfied(answered), each.read) << each.answered;
  }
}

TEST(quorum_set, replacement_rule_matches_the_definition_for_every_answer) {
  const quorum_set during = quorum_set::plain(aurora_sizes).replacing(5, 6);
  for (segment_mask answered = 0; answered < 128; ++answered) {
    const int first = std::popcount(answered & mask("ABCDEF"));
    const int second = std::popcount(answered & mask("ABCDEG"));
    EXPECT_EQ(during.write_satisfied(answered), first >= 4 && second >= 4) << answered;
    EXPECT_EQ(during.read_satisfied(answered), first >= 3 || second >= 3) << answered;
  }
}

TEST(quorum_set, a_second_replacement_starts_from_the_newest_set) {
  const quorum_set twice = quorum_set::plain(aurora_sizes).replacing(5, 6).replacing(4, 7);
  EXPECT_EQ(twice.set_count(), 2u);
  EXPECT_EQ(twice.member_sets(), (std::vector<segment_mask>{mask("ABCDEG"), mask("ABCDGH")}));
  EXPECT_TRUE(twice.write_satisfied(mask("ABCD")));
  EXPECT_FALSE(twice.write_satisfied(mask("ABCEF")));  // only 3 of ABCDGH
  EXPECT_TRUE(twice.read_satisfied(mask("CGH")));      // 3 of ABCDGH
}

// --- pg_membership ------------------------------------------------------------------------------

TEST(pg_membership, starts_as_identities_zero_to_five_with_no_change) {
  const pg_membership members;
  for (int slot = 0; slot < segments_per_pg; ++slot) {
    EXPECT_EQ(members.identity(slot), slot);
    EXPECT_EQ(members.disk(slot), 0u);
    EXPECT_FALSE(members.hydrating(slot));
  }
  EXPECT_FALSE(members.changing());
  EXPECT_EQ(members.epoch(), 0u);
  EXPECT_EQ(members.current_mask(), mask("ABCDEF"));
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets(), std::vector<segment_mask>{mask("ABCDEF")});
}

TEST(pg_membership, replacing_a_slot_moves_to_two_member_sets_until_it_finishes) {
  pg_membership members;
  members.replace(5, 1);
  EXPECT_EQ(members.identity(5), 11);  // slot 5 cycles 5 -> 11 -> 17
  EXPECT_EQ(members.disk(5), 1u);
  EXPECT_TRUE(members.hydrating(5));
  EXPECT_FALSE(members.hydrating(4));
  EXPECT_TRUE(members.changing());
  EXPECT_EQ(members.epoch(), 1u);
  const segment_mask replaced = mask("ABCDE") | segment_mask{1} << 11;
  EXPECT_EQ(members.current_mask(), replaced);
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets(),
            (std::vector<segment_mask>{mask("ABCDEF"), replaced}));

  members.finish_replacement(5);
  EXPECT_FALSE(members.hydrating(5));
  EXPECT_FALSE(members.changing());
  EXPECT_EQ(members.epoch(), 2u);
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets(), std::vector<segment_mask>{replaced});
}

TEST(pg_membership, during_a_change_a_write_needs_both_sets) {
  pg_membership members;
  members.replace(5, 1);
  const quorum_set quorums = members.quorums(aurora_sizes);
  const segment_mask g = segment_mask{1} << 11;
  EXPECT_TRUE(quorums.write_satisfied(mask("ABCD")));
  EXPECT_FALSE(quorums.write_satisfied(mask("ABC") | g));  // only 3 of the old set
  EXPECT_FALSE(quorums.write_satisfied(mask("ABCF")));     // only 3 of the new set
  EXPECT_TRUE(quorums.read_satisfied(mask("AB") | g));     // 3 of the new set
}

TEST(pg_membership, identities_cycle_through_three_values_per_slot) {
  pg_membership members;
  const int expected[] = {6, 12, 0, 6};
  for (int expect : expected) {
    members.replace(0, members.disk(0) + 1);
    EXPECT_EQ(members.identity(0), expect);
    members.finish_replacement(0);
  }
  EXPECT_EQ(members.epoch(), 8u);
}

TEST(pg_membership, replacing_again_while_hydrating_keeps_the_last_complete_identity) {
  pg_membership members;
  members.replace(5, 1);  // 5 -> 11, old 5
  members.replace(5, 2);  // 11 -> 17, old still 5
  EXPECT_EQ(members.identity(5), 17);
  EXPECT_EQ(members.disk(5), 2u);
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets().front(), mask("ABCDEF"));
  members.replace(5, 3);  // 17 -> 5 is the old identity: skipped, to 11
  EXPECT_EQ(members.identity(5), 11);
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets().front(), mask("ABCDEF"));
}

TEST(pg_membership, two_slots_replaced_at_once_share_one_old_set) {
  pg_membership members;
  members.replace(4, 1);
  members.replace(5, 1);
  const segment_mask fresh = mask("ABCD") | segment_mask{1} << 10 | segment_mask{1} << 11;
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets(),
            (std::vector<segment_mask>{mask("ABCDEF"), fresh}));
  members.finish_replacement(4);
  EXPECT_TRUE(members.changing());
  const segment_mask half = mask("ABCDF") | segment_mask{1} << 10;
  EXPECT_EQ(members.quorums(aurora_sizes).member_sets(), (std::vector<segment_mask>{half, fresh}));
}

// --- segment: records by hand -------------------------------------------------------------------

// A record of PG 0 whose PG back-link is `previous` (and, unless said, volume back-link too).
log_record record(lsn id, lsn previous, key_id key = 0, std::int64_t value = 0, bool cpl = true,
                  lsn previous_in_volume = max_lsn) {
  log_record made;
  made.id = id;
  made.previous_in_pg = previous;
  made.previous_in_volume = previous_in_volume == max_lsn ? previous : previous_in_volume;
  made.key = key;
  made.value = value == 0 ? static_cast<std::int64_t>(id) * 10 : value;
  made.cpl = cpl;
  made.commit = cpl;
  made.txn = id;
  return made;
}

// A segment holding the chain 1, 2, ..., count (each linking to the one before), key = id % keys.
segment chain(lsn count, key_id keys = 1) {
  segment made;
  for (lsn id = 1; id <= count; ++id) {
    made.accept(record(id, id - 1, static_cast<key_id>(id % keys)));
  }
  return made;
}

TEST(segment, scl_follows_pg_back_links_when_records_arrive_out_of_order) {
  segment s;  // the PG chain is 1 <- 3 <- 4 <- 7 (2, 5, 6 belong to other PGs)
  s.accept(record(4, 3));
  EXPECT_EQ(s.scl(), 0u);
  s.accept(record(3, 1));
  EXPECT_EQ(s.scl(), 0u);
  s.accept(record(1, 0));
  EXPECT_EQ(s.scl(), 4u);
  s.accept(record(7, 4));
  EXPECT_EQ(s.scl(), 7u);
  EXPECT_EQ(s.hot_log_size(), 4u);
}

TEST(segment, a_gap_in_the_chain_holds_scl_until_it_is_filled) {
  segment s;
  s.accept(record(1, 0));
  s.accept(record(3, 2));
  s.accept(record(4, 3));
  EXPECT_EQ(s.scl(), 1u);
  EXPECT_FALSE(s.holds(3));
  EXPECT_EQ(s.highest_lsn(), 4u);
  s.accept(record(2, 1));
  EXPECT_EQ(s.scl(), 4u);
  EXPECT_TRUE(s.holds(3));
}

TEST(segment, a_record_that_links_elsewhere_does_not_advance_scl) {
  segment s;
  s.accept(record(1, 0));
  s.accept(record(5, 3));  // links to 3, which this chain never had
  EXPECT_EQ(s.scl(), 1u);
}

TEST(segment, duplicates_are_ignored) {
  segment s;
  EXPECT_TRUE(s.accept(record(1, 0, 0, 11)));
  EXPECT_TRUE(s.accept(record(1, 0, 0, 99)));  // a resend: same LSN, first copy stays
  EXPECT_EQ(s.hot_log_size(), 1u);
  EXPECT_EQ(s.scl(), 1u);
  EXPECT_EQ(s.read(0, 1)->value, 11);
  int versions = 0;
  s.for_each_version([&](key_id, const version&) { ++versions; });
  EXPECT_EQ(versions, 1);
}

TEST(segment, reads_return_the_newest_version_at_or_below_the_read_point) {
  segment s;
  s.accept(record(1, 0, 0, 100));
  s.accept(record(2, 1, 1, 200));
  s.accept(record(3, 2, 0, 300));
  s.accept(record(5, 3, 0, 500));
  s.accept(record(7, 6, 0, 700));  // above a gap: not part of the complete chain
  ASSERT_EQ(s.scl(), 5u);
  struct read_case {
    key_id key;
    lsn read_point;
    std::optional<lsn> version_lsn;
    std::int64_t value;
  };
  const read_case table[] = {
      {0, 0, std::nullopt, 0}, {0, 1, 1, 100}, {0, 2, 1, 100},
      {0, 3, 3, 300},          {0, 4, 3, 300}, {0, 5, 5, 500},
      {0, 9, 5, 500},  // 7 is above SCL: never visible
      {1, 1, std::nullopt, 0}, {1, 2, 2, 200}, {1, 9, 2, 200},
      {8, 9, std::nullopt, 0},  // a key this segment never saw
  };
  for (const read_case& each : table) {
    const std::optional<version> found = s.read(each.key, each.read_point);
    ASSERT_EQ(found.has_value(), each.version_lsn.has_value())
        << "key " << each.key << " at " << each.read_point;
    if (!found) continue;
    EXPECT_EQ(found->id, *each.version_lsn) << "key " << each.key << " at " << each.read_point;
    EXPECT_EQ(found->value, each.value) << "key " << each.key << " at " << each.read_point;
  }
}

TEST(segment, truncation_removes_the_range_and_lowers_scl_to_the_tail_below) {
  segment s = chain(6);
  ASSERT_EQ(s.scl(), 6u);
  const truncation_range range{2, 4, 10};
  s.truncate(range);
  EXPECT_EQ(s.scl(), 3u);
  EXPECT_EQ(s.hot_log_size(), 3u);
  EXPECT_FALSE(s.holds(4));
  EXPECT_FALSE(s.holds(6));
  EXPECT_TRUE(s.holds(3));
  EXPECT_EQ(s.read(0, 10)->id, 3u);
  EXPECT_EQ(s.volume_epoch(), 2u);
  EXPECT_EQ(s.truncations(), std::vector<truncation_range>{range});
}

TEST(segment, truncation_refuses_late_records_in_the_range) {
  segment s = chain(6);
  s.truncate({1, 4, 10});
  EXPECT_FALSE(s.accept(record(5, 4)));
  EXPECT_FALSE(s.accept(record(10, 9)));
  EXPECT_EQ(s.scl(), 3u);
  EXPECT_EQ(s.hot_log_size(), 3u);
}

TEST(segment, scl_continues_above_the_range_from_the_tail_below_it) {
  segment s = chain(6);
  s.truncate({1, 4, 10});
  EXPECT_TRUE(s.accept(record(11, 3)));  // the new writer's first record links to the tail
  EXPECT_EQ(s.scl(), 11u);
  EXPECT_TRUE(s.accept(record(12, 11)));
  EXPECT_EQ(s.scl(), 12u);
  EXPECT_EQ(s.read(0, 12)->id, 12u);
  EXPECT_EQ(s.read(0, 10)->id, 3u);
}

TEST(segment, records_above_the_range_that_arrived_first_join_once_the_range_is_cut) {
  segment s = chain(6);
  s.accept(record(12, 11));  // the new writer's second record, early
  s.accept(record(11, 3));   // links to 3, but SCL is 6: the chain cannot take it yet
  EXPECT_EQ(s.scl(), 6u);
  s.truncate({1, 4, 10});
  EXPECT_EQ(s.scl(), 12u);
}

TEST(segment, truncation_is_idempotent) {
  segment s = chain(6);
  s.truncate({1, 4, 10});
  s.truncate({1, 4, 10});
  EXPECT_EQ(s.truncations().size(), 1u);
  EXPECT_EQ(s.scl(), 3u);
}

TEST(segment, a_newer_recovery_decision_replaces_an_unfinished_one) {
  // Recovery of epoch 1 cut [3, 10] here but did not finish; recovery of epoch 2 kept up to 4
  // and decided the history afresh: only [5, 20]. LSNs 3 and 4 are accepted again.
  segment s = chain(4);
  s.truncate({1, 3, 10});
  ASSERT_EQ(s.scl(), 2u);
  EXPECT_FALSE(s.accept(record(3, 2)));
  EXPECT_TRUE(s.install_truncations({2, {{2, 5, 20}}}));
  EXPECT_EQ(s.truncations(), (std::vector<truncation_range>{{2, 5, 20}}));
  EXPECT_EQ(s.volume_epoch(), 2u);
  EXPECT_TRUE(s.accept(record(3, 2)));
  EXPECT_TRUE(s.accept(record(4, 3)));
  EXPECT_EQ(s.scl(), 4u);
  EXPECT_FALSE(s.accept(record(5, 4)));
}

TEST(segment, an_older_or_equal_decision_is_ignored) {
  segment s = chain(6);
  s.truncate({3, 5, 10});
  EXPECT_FALSE(s.install_truncations({2, {{2, 3, 10}}}));
  EXPECT_FALSE(s.install_truncations({3, {}}));
  EXPECT_EQ(s.truncation_decision(), (truncation_history{3, {{3, 5, 10}}}));
  EXPECT_EQ(s.scl(), 4u);
}

TEST(segment, truncation_above_scl_only_removes_the_stray_records) {
  segment s;
  s.accept(record(1, 0));
  s.accept(record(2, 1));
  s.accept(record(5, 3));  // gap at 3
  s.truncate({1, 4, 10});
  EXPECT_EQ(s.scl(), 2u);
  EXPECT_EQ(s.hot_log_size(), 2u);
  EXPECT_EQ(s.highest_lsn(), 2u);
}

TEST(segment, epochs_never_go_back_and_older_ones_are_stale) {
  segment s;
  EXPECT_FALSE(s.is_stale(0));
  s.adopt_epoch(3);
  s.adopt_epoch(2);
  EXPECT_EQ(s.volume_epoch(), 3u);
  EXPECT_TRUE(s.is_stale(2));
  EXPECT_FALSE(s.is_stale(3));
  EXPECT_FALSE(s.is_stale(4));
}

TEST(segment, a_recovery_proposal_is_accepted_if_newer_or_retried_by_the_same_proposer) {
  segment s;
  EXPECT_TRUE(s.accept_proposal(2, 7));
  EXPECT_EQ(s.volume_epoch(), 2u);
  EXPECT_TRUE(s.accept_proposal(2, 7));   // the same recovery asking again
  EXPECT_FALSE(s.accept_proposal(2, 8));  // a rival with the same epoch
  EXPECT_FALSE(s.accept_proposal(1, 7));  // an older epoch
  EXPECT_TRUE(s.accept_proposal(3, 8));
  EXPECT_EQ(s.volume_epoch(), 3u);
}

TEST(segment, vdl_hint_only_rises) {
  segment s;
  s.note_vdl(5);
  s.note_vdl(3);
  EXPECT_EQ(s.vdl_hint(), 5u);
}

TEST(segment, garbage_collection_folds_only_a_prefix_worth_the_move) {
  segment short_log = chain(segment::gc_hot_log_min - 1);
  short_log.collect_garbage(100);
  EXPECT_EQ(short_log.base_lsn(), 0u);  // the whole hot log is shorter than the minimum

  segment s = chain(40);
  s.collect_garbage(10);
  EXPECT_EQ(s.base_lsn(), 0u);  // 10 foldable records: fewer than gc_hot_log_min
  s.collect_garbage(18);
  EXPECT_EQ(s.base_lsn(), 0u);  // 18 records, but less than half of the 40
  s.collect_garbage(30);
  EXPECT_EQ(s.base_lsn(), 30u);
  EXPECT_EQ(s.hot_log_size(), 10u);
}

TEST(segment, garbage_collection_folds_below_the_minimum_of_pgmrpl_and_scl) {
  segment low = chain(100, 4);
  low.collect_garbage(50);
  EXPECT_EQ(low.base_lsn(), 50u);  // PGMRPL is the limit
  EXPECT_GE(low.vdl_hint(), 50u);

  segment gap = chain(70, 4);
  for (lsn id = 72; id <= 100; ++id) gap.accept(record(id, id - 1));
  ASSERT_EQ(gap.scl(), 70u);
  gap.collect_garbage(90);
  EXPECT_EQ(gap.base_lsn(), 70u);  // SCL is the limit
  EXPECT_EQ(gap.hot_log_size(), 29u);
}

TEST(segment, reads_at_and_above_the_gc_base_stay_exact) {
  const segment before = chain(100, 4);
  segment after = chain(100, 4);
  after.collect_garbage(50);
  ASSERT_EQ(after.base_lsn(), 50u);
  for (key_id key = 0; key < 4; ++key) {
    for (lsn point = 50; point <= 100; ++point) {
      ASSERT_EQ(after.read(key, point)->id, before.read(key, point)->id)
          << "key " << key << " at " << point;
    }
  }
  int versions = 0;
  after.for_each_version([&](key_id, const version&) { ++versions; });
  EXPECT_EQ(versions, 50 + 4);  // 51..100, plus the newest of each key at or below 50
}

TEST(segment, gossip_brings_a_lagging_segment_up_to_its_peer) {
  const segment ahead = chain(10);
  segment behind = chain(4);
  const gossip_payload payload = ahead.gossip_for(behind.scl());
  EXPECT_FALSE(payload.base_lsn.has_value());
  EXPECT_EQ(payload.records.size(), 6u);
  behind.absorb(payload);
  EXPECT_EQ(behind.scl(), 10u);
  EXPECT_EQ(behind.read(0, 10)->id, 10u);
}

TEST(segment, gossip_carries_truncations_epochs_and_the_vdl_hint) {
  segment ahead = chain(6);
  ahead.note_vdl(3);
  ahead.truncate({4, 4, 10});
  segment behind = chain(6);  // still holds the old writer's tail 4..6
  behind.absorb(ahead.gossip_for(behind.scl()));
  EXPECT_EQ(behind.volume_epoch(), 4u);
  EXPECT_EQ(behind.truncations(), ahead.truncations());
  EXPECT_EQ(behind.scl(), 3u);
  EXPECT_EQ(behind.vdl_hint(), 3u);
}

TEST(segment, gossip_replies_are_bounded_and_repeat_until_caught_up) {
  const segment ahead = chain(300);
  segment behind;
  const gossip_payload first = ahead.gossip_for(behind.scl());
  EXPECT_EQ(first.records.size(), segment::gossip_batch_max);
  behind.absorb(first);
  EXPECT_EQ(behind.scl(), segment::gossip_batch_max);
  behind.absorb(ahead.gossip_for(behind.scl()));
  EXPECT_EQ(behind.scl(), 300u);
}

TEST(segment, an_empty_replacement_hydrates_from_a_peer_that_collected_garbage) {
  segment peer = chain(100, 4);
  peer.collect_garbage(50);
  ASSERT_EQ(peer.base_lsn(), 50u);
  segment replacement;
  const gossip_payload payload = peer.gossip_for(replacement.scl());
  ASSERT_TRUE(payload.base_lsn.has_value());
  EXPECT_EQ(*payload.base_lsn, 50u);
  EXPECT_EQ(payload.base.size(), 4u);  // the newest version of each key at 50
  replacement.absorb(payload);
  EXPECT_EQ(replacement.base_lsn(), 50u);
  EXPECT_EQ(replacement.scl(), 100u);
  EXPECT_TRUE(replacement.holds(50));
  EXPECT_TRUE(replacement.holds(77));
  for (key_id key = 0; key < 4; ++key) {
    for (lsn point = 50; point <= 100; ++point) {
      ASSERT_EQ(replacement.read(key, point)->id, peer.read(key, point)->id);
      ASSERT_EQ(replacement.read(key, point)->value, peer.read(key, point)->value);
    }
  }
}

TEST(segment, a_segment_behind_the_peers_gc_base_takes_the_base_image) {
  segment peer = chain(100, 4);
  peer.collect_garbage(50);
  segment behind = chain(10, 4);
  behind.absorb(peer.gossip_for(behind.scl()));
  EXPECT_EQ(behind.base_lsn(), 50u);
  EXPECT_EQ(behind.scl(), 100u);
  EXPECT_EQ(behind.read(1, 60)->id, peer.read(1, 60)->id);
}

TEST(segment, summary_for_recovery_describes_the_chain_above_the_vdl_hint) {
  segment s;  // PG chain 1, 3, 4, 6, 7; the other LSNs belong to another PG
  s.accept(record(1, 0, 0, 0, true, 0));
  s.accept(record(3, 1, 0, 0, false, 2));
  s.accept(record(4, 3, 0, 0, true, 3));
  s.accept(record(6, 4, 0, 0, false, 5));
  s.accept(record(7, 6, 0, 0, true, 6));
  s.accept(record(9, 8, 0, 0, true, 8));  // beyond a gap: not in the summary
  s.note_vdl(2);
  s.adopt_epoch(5);
  s.truncate({5, 20, 30});
  s.truncate({4, 12, 15});
  const recovery_summary summary = s.summarize_for_recovery();
  EXPECT_EQ(summary.volume_epoch, 5u);
  EXPECT_EQ(summary.scl, 7u);
  EXPECT_EQ(summary.vdl_hint, 2u);
  EXPECT_EQ(summary.tail_at_hint, 1u);  // the last chain record at or below 2
  EXPECT_EQ(summary.truncations, (truncation_history{5, {{5, 20, 30}, {4, 12, 15}}}));
  ASSERT_EQ(summary.entries.size(), 4u);
  struct entry {
    lsn id, previous_in_volume;
    bool cpl;
  };
  const entry expected[] = {{3, 2, false}, {4, 3, true}, {6, 5, false}, {7, 6, true}};
  for (std::size_t index = 0; index < 4; ++index) {
    EXPECT_EQ(summary.entries[index].id, expected[index].id);
    EXPECT_EQ(summary.entries[index].previous_in_volume, expected[index].previous_in_volume);
    EXPECT_EQ(summary.entries[index].cpl, expected[index].cpl);
  }
}

TEST(segment, summary_floor_is_scl_when_the_vdl_hint_is_above_it) {
  segment s;
  s.accept(record(1, 0));
  s.accept(record(2, 1));
  s.accept(record(4, 3));
  s.note_vdl(6);
  const recovery_summary summary = s.summarize_for_recovery();
  EXPECT_EQ(summary.scl, 2u);
  EXPECT_EQ(summary.tail_at_hint, 2u);
  EXPECT_TRUE(summary.entries.empty());
  EXPECT_TRUE(summary.truncations.ranges.empty());
  EXPECT_EQ(summary.truncations.decided_by, 0u);
}

// --- placement ----------------------------------------------------------------------------------

TEST(placement, pg_zero_lives_on_a1_a2_b1_b2_c1_c2_for_any_nodes_per_az) {
  const std::vector<std::string> expected = {"a1", "a2", "b1", "b2", "c1", "c2"};
  for (int nodes = 2; nodes <= max_nodes_per_az; ++nodes) {
    const placement where({1, nodes, 4});
    for (int slot = 0; slot < segments_per_pg; ++slot) {
      EXPECT_EQ(where.node_of(0, slot), expected[slot]) << nodes << " nodes per AZ";
    }
  }
}

TEST(placement, later_pgs_spread_round_robin_over_the_nodes_of_each_az) {
  struct pg_case {
    int nodes_per_az;
    pg_id pg;
    const char* slots[6];
  };
  const pg_case table[] = {
      {2, 1, {"a1", "a2", "b1", "b2", "c1", "c2"}},
      {4, 1, {"a3", "a4", "b3", "b4", "c3", "c4"}},
      {3, 1, {"a3", "a1", "b3", "b1", "c3", "c1"}},
      {3, 2, {"a2", "a3", "b2", "b3", "c2", "c3"}},
  };
  for (const pg_case& each : table) {
    const placement where({3, each.nodes_per_az, 4});
    for (int slot = 0; slot < segments_per_pg; ++slot) {
      EXPECT_EQ(where.node_of(each.pg, slot), each.slots[slot])
          << "PG " << each.pg << " slot " << slot << " with " << each.nodes_per_az;
    }
  }
}

TEST(placement, node_names_go_az_by_az) {
  const placement where({1, 3, 4});
  EXPECT_EQ(where.node_names(),
            (std::vector<std::string>{"a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"}));
}

TEST(placement, fnv1a_matches_the_published_values) {
  static_assert(fnv1a("") == 0xcbf29ce484222325ULL);
  static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cULL);
  static_assert(fnv1a("foobar") == 0x85944171f73967e8ULL);
  SUCCEED();
}

TEST(placement, keys_map_to_pages_and_pages_to_pgs_deterministically) {
  const placement where({3, 2, 4});
  const placement again({3, 2, 4});
  for (const char* key : {"x", "y", "z", "account-17", "a"}) {
    const page_id page = where.page_of(key);
    EXPECT_EQ(page, fnv1a(key) % 12);
    EXPECT_EQ(page, again.page_of(key));
    EXPECT_EQ(where.pg_of(page), page / 4);
    EXPECT_LT(where.pg_of(page), 3u);
  }
}

TEST(placement, key_table_interns_in_order_of_first_use) {
  const placement where({2, 2, 4});
  key_table keys(where);
  EXPECT_EQ(keys.intern("y"), 0u);
  EXPECT_EQ(keys.intern("x"), 1u);
  EXPECT_EQ(keys.intern("y"), 0u);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.name(1), "x");
  EXPECT_EQ(keys.find("x"), std::optional<key_id>(1));
  EXPECT_EQ(keys.find("z"), std::nullopt);
  EXPECT_EQ(keys.page(1), where.page_of("x"));
  EXPECT_EQ(keys.pg(1), where.pg_of(where.page_of("x")));
}

TEST(placement_death, a_shape_without_two_nodes_per_az_stops_the_program) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(placement({1, 1, 4}), "two nodes in each AZ");
  EXPECT_DEATH(placement({0, 2, 4}), "1..64 protection groups");
}

// --- storage_node on a small network ------------------------------------------------------------

using db::message;

// A participant that keeps every message it receives.
class inbox final : public sim::endpoint<message> {
 public:
  void receive(sim::participant_id, message&& value) override { got.push_back(std::move(value)); }
  template <class kind>
  std::vector<kind> all() const {
    std::vector<kind> found;
    for (const message& each : got) {
      if (const auto* typed = std::get_if<kind>(&each)) found.push_back(*typed);
    }
    return found;
  }
  std::vector<message> got;
};

// PG 0 on six storage nodes, and one "writer" inbox.
struct small_volume {
  small_volume() : net(clock, prng, trace) {
    directory.resize(1);
    const char* names[] = {"a1", "a2", "b1", "b2", "c1", "c2"};
    for (int slot = 0; slot < segments_per_pg; ++slot) {
      nodes.push_back(std::make_unique<storage_node<message>>(net, volumes, storage_options{}));
      const sim::participant_id id =
          net.add(names[slot], names[slot][0], sim::role::storage, nodes.back().get());
      nodes.back()->attach(id);
      nodes.back()->host(0, 0, slot);
      directory[0][slot] = id;
    }
    writer = net.add("db1", 0, sim::role::instance, &writer_inbox);
  }
  void send(int slot, message value) { net.send(writer, directory[0][slot], std::move(value)); }
  const segment& data(int slot) const { return *nodes[slot]->find(0, 0); }

  sim::scheduler clock;
  sim::random prng{7};
  trace::recorder trace;
  sim::network<message> net;
  volume_directory volumes = volume_directory(1);  // one volume, id 0
  segment_directory& directory = volumes[0];
  std::vector<std::unique_ptr<storage_node<message>>> nodes;
  inbox writer_inbox;
  sim::participant_id writer;
};

redo_batch batch_of(epoch e, std::vector<log_record> records, lsn vdl = 0) {
  return redo_batch{e, 0, std::move(records), vdl, vdl, {}};
}

TEST(storage_node, acknowledges_a_batch_with_its_scl_and_disk) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0), record(2, 1)}));
  volume.clock.run_until(sim::ms(5));
  const std::vector<redo_ack> acks = volume.writer_inbox.all<redo_ack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].scl, 2u);
  EXPECT_EQ(acks[0].slot, 0);
  EXPECT_EQ(acks[0].disk, 0u);
}

TEST(storage_node, gossip_fills_a_peer_that_missed_the_batch) {
  small_volume volume;
  for (int slot = 0; slot < 3; ++slot) volume.send(slot, batch_of(0, {record(1, 0), record(2, 1)}));
  volume.clock.run_until(sim::ms(30));
  for (int slot = 0; slot < segments_per_pg; ++slot) EXPECT_EQ(volume.data(slot).scl(), 2u) << slot;
}

TEST(storage_node, refuses_a_writer_with_a_stale_epoch) {
  small_volume volume;
  volume.send(0, batch_of(3, {record(1, 0)}));
  volume.clock.run_until(sim::ms(5));
  volume.send(0, batch_of(2, {record(2, 1)}));
  volume.clock.run_until(sim::ms(10));
  const std::vector<stale_epoch> refusals = volume.writer_inbox.all<stale_epoch>();
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].current, 3u);
  EXPECT_EQ(volume.data(0).scl(), 1u);
}

TEST(storage_node, answers_reads_only_between_the_gc_base_and_scl) {
  small_volume volume;
  std::vector<log_record> records;
  for (lsn id = 1; id <= 80; ++id) records.push_back(record(id, id - 1));
  volume.send(0, batch_of(0, records, 70));  // PGMRPL 70: the node folds up to 70
  volume.clock.run_until(sim::ms(5));
  ASSERT_EQ(volume.data(0).base_lsn(), 70u);
  // Every LSN belongs to this PG, so the PG's last record at or below a read point is the point.
  volume.send(0, read_request{1, 0, 0, 0, 90, 90, {}});  // above SCL
  volume.send(0, read_request{2, 0, 0, 0, 60, 60, {}});  // below the GC base
  volume.send(0, read_request{3, 0, 0, 0, 75, 75, {}});
  volume.send(0,
              read_request{4, 0, 0, 0, 90, 80, {}});  // the PG's last record <= 90 is 80: complete
  volume.clock.run_until(sim::ms(10));
  std::vector<read_reply> replies = volume.writer_inbox.all<read_reply>();
  ASSERT_EQ(replies.size(), 4u);
  std::sort(replies.begin(), replies.end(),
            [](const read_reply& l, const read_reply& r) { return l.id < r.id; });
  EXPECT_EQ(replies[0].status, read_status::behind_read_point);
  EXPECT_EQ(replies[1].status, read_status::below_gc_point);
  EXPECT_EQ(replies[2].status, read_status::ok);
  ASSERT_TRUE(replies[2].found.has_value());
  EXPECT_EQ(replies[2].found->id, 75u);
  EXPECT_EQ(replies[3].status, read_status::ok);
  ASSERT_TRUE(replies[3].found.has_value());
  EXPECT_EQ(replies[3].found->id, 80u);
}

TEST(storage_node, recovery_queries_adopt_only_a_newer_epoch) {
  small_volume volume;
  volume.send(0, recovery_query{1, 2, 0, 7});
  volume.clock.run_until(sim::ms(5));
  volume.send(0, recovery_query{2, 2, 0, 8});  // a rival proposing the same epoch
  volume.clock.run_until(sim::ms(10));
  const std::vector<recovery_reply> replies = volume.writer_inbox.all<recovery_reply>();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(replies[0].accepted);
  EXPECT_FALSE(replies[1].accepted);
  EXPECT_EQ(replies[1].summary.volume_epoch, 2u);
  EXPECT_EQ(volume.data(0).volume_epoch(), 2u);
}

TEST(storage_node, a_truncation_request_cuts_stores_kept_records_and_acks_with_scl) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0), record(3, 2)}));  // a gap: 2 never arrived here
  volume.clock.run_until(sim::ms(5));
  ASSERT_EQ(volume.data(0).scl(), 1u);
  volume.send(0, truncate_request{1, 1, 0, truncation_history{1, {{1, 3, 10}}}, {record(2, 1)}});
  volume.clock.run_until(sim::ms(10));
  const std::vector<truncate_ack> acks = volume.writer_inbox.all<truncate_ack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].scl, 2u);
  EXPECT_EQ(volume.data(0).volume_epoch(), 1u);
  EXPECT_FALSE(volume.data(0).holds(3));
}

// The dirty read after a missed truncation (issue 7): a segment holds the dead writer's tail
// (LSN 3) and never received the truncation 3..1002 decided by epoch 2. A reader of epoch 2 reads
// at a point above the range, with `complete_to` at the PG's last record below it (2): by SCL
// alone the segment is complete. The read carries the decision, so the segment installs it first
// and serves the version at LSN 2, not the truncated one.
TEST(storage_node, a_read_brings_the_truncation_its_epoch_decided_before_it_is_answered) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0), record(2, 1), record(3, 2)}));
  volume.clock.run_until(sim::ms(5));
  ASSERT_EQ(volume.data(0).scl(), 3u);
  const truncation_history decided{2, {{2, 3, 1002}}};
  volume.send(0, read_request{1, 2, 0, 0, 1005, 2, decided});
  volume.clock.run_until(sim::ms(10));
  const std::vector<read_reply> replies = volume.writer_inbox.all<read_reply>();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, read_status::ok);
  ASSERT_TRUE(replies[0].found.has_value());
  EXPECT_EQ(replies[0].found->id, 2u);
  EXPECT_EQ(volume.data(0).truncation_decision(), decided);
  EXPECT_EQ(volume.data(0).scl(), 2u);
}

// The same read on a node whose reads ignore truncation (the unsafe variant) serves LSN 3.
TEST(storage_node, without_the_rule_a_read_serves_the_truncated_tail) {
  small_volume volume;
  storage_options unsafe;
  unsafe.check_read_truncation = false;
  storage_node<message> node(volume.net, volume.volumes, unsafe);
  node.attach(volume.net.add("a9", 'a', sim::role::storage, &node));
  node.host(0, 0, 0);
  volume.net.send(volume.writer, node.id(),
                  batch_of(0, {record(1, 0), record(2, 1), record(3, 2)}));
  volume.clock.run_until(sim::ms(5));
  volume.net.send(volume.writer, node.id(),
                  read_request{1, 2, 0, 0, 1005, 2, truncation_history{2, {{2, 3, 1002}}}});
  volume.clock.run_until(sim::ms(10));
  const std::vector<read_reply> replies = volume.writer_inbox.all<read_reply>();
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_TRUE(replies[0].found.has_value());
  EXPECT_EQ(replies[0].found->id, 3u);
}

// A segment that knows a different decision of the same epoch (an abandoned round's) takes the
// reader's, which comes from the round that finished; one that knows a newer decision refuses
// the older epoch's reader as stale.
TEST(storage_node,
     a_read_replaces_an_abandoned_decision_of_its_epoch_and_an_older_reader_is_stale) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0), record(2, 1), record(3, 2)}));
  volume.clock.run_until(sim::ms(5));
  volume.send(0, truncate_request{1, 2, 0, truncation_history{2, {{2, 4, 1003}}}, {}, 9});
  volume.clock.run_until(sim::ms(10));
  const truncation_history finished{2, {{2, 3, 1002}}};
  volume.send(0, read_request{1, 2, 0, 0, 1005, 2, finished});
  volume.clock.run_until(sim::ms(15));
  EXPECT_EQ(volume.data(0).truncation_decision(), finished);
  EXPECT_EQ(volume.data(0).scl(), 2u);
  volume.send(0, read_request{2, 1, 0, 0, 2, 2, truncation_history{1, {}}});
  volume.clock.run_until(sim::ms(20));
  EXPECT_EQ(volume.writer_inbox.all<stale_epoch>().size(), 1u);
}

// Connections: a message sent to a participant that crashes before it arrives is dropped, even
// when the participant is back by then (a late copy of a request never reaches the new life).
TEST(storage_node, a_message_sent_before_a_crash_never_reaches_the_restarted_node) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0)}));
  volume.net.crash(volume.directory[0][0]);
  volume.net.restart(volume.directory[0][0]);
  volume.clock.run_until(sim::ms(1));
  EXPECT_EQ(volume.data(0).scl(), 0u);
  volume.send(0, batch_of(0, {record(1, 0)}));
  volume.clock.run_until(sim::ms(2));
  EXPECT_EQ(volume.data(0).scl(), 1u);
}

// A storage node hosts segments of several volumes (the fleet is shared by the world's
// clusters): PG 0 of volume 1 and PG 0 of volume 0 on the same nodes never mix, and an
// acknowledgement names the volume of the batch.
TEST(storage_node, segments_of_two_volumes_on_one_node_stay_apart) {
  small_volume volume;
  volume.volumes.push_back(volume.directory);  // volume 1's PG 0 on the same six nodes
  for (int slot = 0; slot < segments_per_pg; ++slot) volume.nodes[slot]->host(1, 0, slot);
  redo_batch second = batch_of(0, {record(1, 0), record(2, 1)});
  second.volume = 1;
  volume.send(0, second);
  volume.clock.run_until(sim::ms(5));
  EXPECT_EQ(volume.nodes[0]->find(1, 0)->scl(), 2u);
  EXPECT_EQ(volume.data(0).scl(), 0u) << "volume 0's segment got volume 1's records";
  const std::vector<redo_ack> acks = volume.writer_inbox.all<redo_ack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].volume, 1u);
  EXPECT_EQ(acks[0].scl, 2u);
}

TEST(storage_node, a_destroyed_disk_comes_back_empty_with_a_new_incarnation) {
  small_volume volume;
  volume.send(0, batch_of(0, {record(1, 0)}));
  volume.clock.run_until(sim::ms(5));
  volume.net.destroy(volume.directory[0][0]);
  EXPECT_EQ(volume.nodes[0]->disk(0, 0), 1u);
  EXPECT_EQ(volume.data(0).scl(), 0u);
}

}  // namespace
}  // namespace aurora::storage

// The protection group ties the quorum to the placement: Aurora's shape, and what derives from it.
namespace {
using aurora::storage::quorum;
using aurora::storage::quorum_sizes;
}  // namespace

TEST(protection_group, aurora_shape_is_six_copies_two_per_az_and_survives_az_plus_one) {
  using pg = aurora::storage::aurora_protection_group;
  static_assert(pg::segments == 6 && pg::azs == 3 && pg::copies_per_az == 2);
  static_assert(pg::az_of(0) == 0 && pg::az_of(1) == 0 && pg::az_of(2) == 1 && pg::az_of(5) == 2);
  static_assert(aurora::storage::segments_per_pg == pg::segments);
  EXPECT_EQ(pg::sizes().vw(), 4);
  EXPECT_EQ(pg::sizes().vr(), 3);
  // A 4/6 write quorum would not survive an AZ of 3 copies: the shape decides, not the quorum.
  using three_azs_of_three = aurora::storage::protection_group<quorum<9, 5, 5>, 3, 3>;
  EXPECT_TRUE(three_azs_of_three::writes_survive_an_az);
  EXPECT_TRUE(three_azs_of_three::reads_survive_az_plus_one);
  using two_azs = aurora::storage::protection_group<quorum<6, 4, 3>, 2, 3>;
  EXPECT_FALSE(two_azs::writes_survive_an_az);
}

// quorum<9, 5, 5> is a valid quorum, but not one for the model's 6 segments: refused, not run.
TEST(protection_group, a_quorum_that_counts_other_copies_is_refused_by_the_model) {
  const quorum_sizes nine(quorum<9, 5, 5>{});
  EXPECT_FALSE(aurora::storage::fits_the_model(nine));
  EXPECT_TRUE(aurora::storage::fits_the_model(quorum_sizes(aurora::storage::aurora_quorum{})));
  try {
    aurora::db::lsn_points points(nine, 1);
    FAIL() << "lsn_points accepted a quorum of 9 copies";
  } catch (const aurora::usage_error& error) {
    EXPECT_NE(std::string(error.what()).find("counts 9 copies"), std::string::npos) << error.what();
  }
}

// The storage metadata service hands out volume epochs [P18 §2.4]: each call a newer one, counted
// per volume, starting above 0 (the epoch of a volume's first writer).
TEST(metadata_service, each_volume_epoch_is_newer_than_every_one_before_it) {
  aurora::storage::metadata_service metadata;
  EXPECT_EQ(metadata.latest_epoch(0), 0u);
  EXPECT_EQ(metadata.next_epoch(0), 1u);
  EXPECT_EQ(metadata.next_epoch(0), 2u);
  EXPECT_EQ(metadata.next_epoch(1), 1u) << "another volume counts on its own";
  EXPECT_EQ(metadata.next_epoch(0), 3u);
  EXPECT_EQ(metadata.latest_epoch(0), 3u);
  EXPECT_EQ(metadata.latest_epoch(1), 1u);
  EXPECT_EQ(metadata.latest_epoch(2), 0u);
}
