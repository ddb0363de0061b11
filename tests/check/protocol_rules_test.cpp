// Unit tests of the protocol rule checker (check/protocol_rules.hpp) on hand-built sequences of
// the facts the database instances report (db/protocol_facts.hpp), with no cluster and no
// simulation: each test plays a few decisions of a writer, a replica or a recovery, as
// db/instance.hpp would report them, and looks at what the checker says.
//
// For every invariant the checker can report there is a test of a legal sequence, which must
// pass, usually at the boundary of the rule (an LSN allocated exactly at VDL + LAL, a record
// acknowledged by exactly 4 of 6 segments), and a test that breaks the rule on purpose, which
// must report exactly that invariant, with a reason that names the numbers involved.
//
// The numbers are small on purpose: LAL is 10, the first writer (db1) opens the empty volume
// with epoch 0, and later writers open the epochs the storage metadata service hands their
// recoveries, one after the other (db2: 1, db1: 2; storage/metadata_service.hpp). Segments of a
// protection group are named as in the papers: slots A to F, and G for the replacement of F on a
// new disk [P18 §4].
#include "aurora/check/protocol_rules.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace facts = aurora::db::facts;
namespace sim = aurora::sim;
namespace storage = aurora::storage;
using aurora::check::violation;
using storage::epoch;
using storage::lsn;

constexpr lsn lal = 10;  // a small LSN allocation limit keeps the numbers readable

constexpr int db1 = 1;  // instances are numbered from 1
constexpr int db2 = 2;
constexpr int db3 = 3;            // a replica
constexpr epoch first_epoch = 0;  // the epoch of the writer that opened the empty volume
constexpr epoch db2_epoch = 1;    // the epoch db2's recovery opens (the volume's first recovery)
constexpr epoch db1_epoch = 2;    // the epoch db1 opens when it recovers after db2

// The slots of a protection group, named by the papers' letters (not snake_case, to read as
// "ABCDEF and ABCDEG"). G is slot 5 on its new disk, the replacement of F.
constexpr int A = 0, B = 1, C = 2, D = 3, E = 4, F = 5, G = 5;

constexpr bool cpl = true;       // the last record of its mini-transaction: a consistency point
constexpr bool not_cpl = false;  // a record inside a mini-transaction

// A log record of PG `pg`. A CPL is also its transaction's commit record, as in the model.
storage::log_record record(lsn id, storage::pg_id pg, bool is_cpl) {
  storage::log_record made;
  made.id = id;
  made.pg = pg;
  made.cpl = is_cpl;
  made.commit = is_cpl;
  return made;
}

// A plain protection group: slot s holds identity s on disk 0; one member set, ABCDEF.
facts::membership_snapshot plain_pg() {
  facts::membership_snapshot members;
  for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
    members.identity[slot] = slot;
    members.disk[slot] = 0;
  }
  members.sets[0] = 0b111111;
  members.set_count = 1;
  return members;
}

// F's disk is lost: slot 5 now holds G, identity 11 (5 + 6) on disk 1, still hydrating. A write
// needs 4 of both member sets, "ABCDEF and ABCDEG" [P18 §4]; F itself can no longer answer.
facts::membership_snapshot replacing_f_by_g() {
  facts::membership_snapshot members = plain_pg();
  members.identity[G] = 11;
  members.disk[G] = 1;
  members.sets[0] = 0b111111;        // ABCDEF
  members.sets[1] = 0b100000011111;  // ABCDEG
  members.set_count = 2;
  return members;
}

// D's disk was lost and its replacement (identity 9 = 3 + 6, disk 1) has caught up: one member
// set again, with identity 9 in place of 3.
facts::membership_snapshot d_replaced() {
  facts::membership_snapshot members = plain_pg();
  members.identity[D] = 9;
  members.disk[D] = 1;
  members.sets[0] = 0b1000110111;
  members.set_count = 1;
  return members;
}

// The fixture: a fresh checker, and the facts fed to it, one step each.
class protocol_rules : public ::testing::Test {
 protected:
  // --- Feeding facts, in the order an instance reports them. ----------------------------------
  void feed(facts::fact what) {
    rules_.consume({sim::ms(step_), step_, std::move(what)}, found_);
    ++step_;
  }

  void opened(int instance, epoch writer_epoch) { feed(facts::opened{instance, writer_epoch}); }

  void allocated(int instance, epoch writer_epoch, lsn vdl, storage::log_record made) {
    feed(facts::allocated{instance, writer_epoch, vdl, made});
  }

  // Segments in `slots` acknowledge SCL `scl` to the writer, each from its current disk and with
  // the writer's own epoch.
  void acked(int instance, epoch writer_epoch, const facts::membership_snapshot& members,
             std::initializer_list<int> slots, lsn scl, storage::pg_id pg = 0) {
    for (int slot : slots) {
      feed(facts::ack_counted{instance, writer_epoch, writer_epoch, pg, slot, members.disk[slot],
                              scl, members});
    }
  }

  void points(int instance, epoch writer_epoch, lsn vcl, lsn vdl) {
    feed(facts::points{instance, writer_epoch, vcl, vdl});
  }

  // A read at `read_point` by the writer of `reader_epoch` (`from_cache`: the version its cache
  // served, if it did), or by a replica following that writer. All reads here are of PG 0.
  void writer_read(int instance, epoch reader_epoch, lsn read_point,
                   lsn from_cache = storage::no_lsn) {
    feed(facts::read_started{instance, true, reader_epoch, 0, read_point, from_cache});
  }
  void replica_read(int instance, epoch reader_epoch, lsn read_point) {
    feed(facts::read_started{instance, false, reader_epoch, 0, read_point, storage::no_lsn});
  }

  // A replica takes the VDL its writer sent as its read point.
  void replica_point(int instance, epoch writer_epoch, lsn read_point) {
    feed(facts::replica_point{instance, writer_epoch, read_point});
  }

  // Segment `slot` of PG 0 refused a read at `read_point`: it had collected those versions.
  void gc_refused(int instance, bool as_writer, int slot, lsn read_point) {
    feed(facts::gc_refused{instance, as_writer, 0, slot, read_point});
  }

  void truncated(int instance, epoch writer_epoch, lsn vdl, lsn from, lsn to, bool written = true) {
    feed(facts::truncated{instance, writer_epoch, vdl,
                          storage::truncation_range{writer_epoch, from, to}, written});
  }

  // --- Sequences many tests start from. -------------------------------------------------------

  // db1 opens the empty volume (epoch 0) and writes records 1 (CPL), 2 and 3 (one
  // mini-transaction ending at 3) to PG 0; A, B, C and D acknowledge SCL 3, so VCL and VDL
  // reach 3.
  void db1_reaches_vdl_3() {
    opened(db1, first_epoch);
    points(db1, first_epoch, 0, 0);
    allocated(db1, first_epoch, 0, record(1, 0, cpl));
    allocated(db1, first_epoch, 0, record(2, 0, not_cpl));
    allocated(db1, first_epoch, 0, record(3, 0, cpl));
    acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 3);
    points(db1, first_epoch, 3, 3);
  }

  // Then db1 writes records 4 and 5 (one mini-transaction) that never become durable: it
  // crashes before any segment acknowledges them.
  void db1_writes_4_and_5_and_crashes() {
    allocated(db1, first_epoch, 3, record(4, 0, not_cpl));
    allocated(db1, first_epoch, 3, record(5, 0, cpl));
  }

  // db2 recovers the volume with epoch 1: VDL 3, truncation [4, 13] = [VDL + 1, VDL + LAL].
  void db2_recovers_at_vdl_3() {
    truncated(db2, db2_epoch, 3, 4, 13);
    opened(db2, db2_epoch);
    points(db2, db2_epoch, 3, 3);
  }

  // --- What the checker said. ---------------------------------------------------------------
  [[nodiscard]] std::string reasons() const {
    std::string text;
    for (const violation& each : found_) text += each.invariant + ": " + each.reason + "\n";
    return text;
  }

  void expect_no_violation() const { EXPECT_TRUE(found_.empty()) << reasons(); }

  // Exactly one violation, of `invariant`, whose reason contains `reason_part` (and `also`).
  void expect_only(const std::string& invariant, const std::string& reason_part,
                   const std::string& also = "") const {
    ASSERT_EQ(found_.size(), 1U) << reasons();
    EXPECT_EQ(found_.front().invariant, invariant) << reasons();
    for (const std::string& part : {reason_part, also}) {
      EXPECT_NE(found_.front().reason.find(part), std::string::npos)
          << "expected \"" << part << "\" in: " << found_.front().reason;
    }
  }

  aurora::check::protocol_rules rules_{lal};
  std::vector<violation> found_;
  int step_ = 0;
};

// --- allocation_within_lal: no LSN above max(VDL, top of the truncation) + LAL [P17 §4.2.1] ----

TEST_F(protocol_rules, an_allocation_up_to_vdl_plus_lal_is_allowed) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  for (lsn id = 1; id <= lal; ++id) allocated(db1, first_epoch, 0, record(id, 0, cpl));
  expect_no_violation();  // LSN 10 = VDL 0 + LAL 10: the last one allowed
}

TEST_F(protocol_rules, an_allocation_above_vdl_plus_lal_is_reported) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  for (lsn id = 1; id <= lal + 1; ++id) allocated(db1, first_epoch, 0, record(id, 0, cpl));
  expect_only("allocation_within_lal",
              "db1 allocated LSN 11 at VDL 0, above the limit 10 = max(VDL, 0) + LAL 10");
}

TEST_F(protocol_rules, allocation_after_a_recovery_may_reach_the_truncation_top_plus_lal) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  // The new writer allocates above the truncation range [4, 13]; LAL counts from its top, so
  // LSN 23 = max(VDL 3, 13) + 10 is allowed although VDL is still 3.
  for (lsn id = 14; id <= 23; ++id) allocated(db2, db2_epoch, 3, record(id, 0, cpl));
  expect_no_violation();
}

TEST_F(protocol_rules, allocation_above_the_truncation_top_plus_lal_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  for (lsn id = 14; id <= 24; ++id) allocated(db2, db2_epoch, 3, record(id, 0, cpl));
  expect_only("allocation_within_lal",
              "db2 allocated LSN 24 at VDL 3, above the limit 23 = max(VDL, 13) + LAL 10");
}

// --- write_quorum: VCL passes a record only once 4 of every member set hold it [P17 §4.1] -----

TEST_F(protocol_rules, vcl_may_pass_a_record_acknowledged_by_exactly_four_of_six) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C}, 0);  // still behind: SCL 0
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 1);
  points(db1, first_epoch, 1, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, vcl_passing_a_record_acknowledged_by_three_of_six_is_reported) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C}, 1);
  acked(db1, first_epoch, plain_pg(), {D, E}, 0);
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0", "(complete to 0)");
}

TEST_F(protocol_rules, vcl_needs_a_write_quorum_in_the_pg_of_every_record_it_passes) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  allocated(db1, first_epoch, 0, record(2, 1, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 1, /*pg=*/0);
  acked(db1, first_epoch, plain_pg(), {A, B, C}, 2, /*pg=*/1);
  points(db1, first_epoch, 2, 2);
  expect_only("write_quorum", "db1 moved VCL to 2 over LSN 2 of PG 1");
}

TEST_F(protocol_rules, during_a_replacement_exactly_four_of_each_member_set_is_a_quorum) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  // A, B, C, D: 4 of ABCDEF and 4 of ABCDEG.
  acked(db1, first_epoch, replacing_f_by_g(), {A, B, C, D}, 1);
  points(db1, first_epoch, 1, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, during_a_replacement_four_of_abcde_plus_g_is_a_quorum) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  // G first: alone with A, B, C it is a quorum of ABCDEG only; then D completes ABCDEF too.
  acked(db1, first_epoch, replacing_f_by_g(), {G, A, B, C, D}, 1);
  points(db1, first_epoch, 1, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, write_quorum_of_the_new_set_only_is_reported) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  // G plus A, B, C: 4 of ABCDEG, but only 3 of ABCDEF (G is not a member of it).
  acked(db1, first_epoch, replacing_f_by_g(), {G, A, B, C}, 1);
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

TEST_F(protocol_rules, write_quorum_holds_for_every_member_set_in_any_order) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  facts::membership_snapshot new_set_first = replacing_f_by_g();
  new_set_first.sets[0] = 0b100000011111;  // ABCDEG
  new_set_first.sets[1] = 0b111111;        // ABCDEF
  acked(db1, first_epoch, new_set_first, {G, A, B, C}, 1);
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

TEST_F(protocol_rules, an_acknowledgement_from_the_replacement_disk_counts) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, d_replaced(), {A, B, C, D}, 1);  // D from its new disk 1
  points(db1, first_epoch, 1, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, an_acknowledgement_from_a_lost_disk_is_ignored) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, d_replaced(), {A, B, C}, 1);
  // A late word from D's lost disk 0: the snapshot says slot D lives on disk 1 now. Counted, it
  // would make the fourth acknowledgement.
  feed(facts::ack_counted{db1, first_epoch, first_epoch, 0, D, /*disk=*/0, 1, d_replaced()});
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

TEST_F(protocol_rules, a_late_word_from_a_lost_disk_does_not_erase_what_its_replacement_said) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, d_replaced(), {D}, 1);  // D's new disk 1 holds LSN 1
  feed(facts::ack_counted{db1, first_epoch, first_epoch, 0, D, /*disk=*/0, 0, d_replaced()});
  acked(db1, first_epoch, d_replaced(), {A, B, C}, 1);
  points(db1, first_epoch, 1, 1);
  expect_no_violation();  // A, B, C and D (disk 1): a quorum
}

TEST_F(protocol_rules, an_acknowledgement_from_a_disk_lost_since_no_longer_counts) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, D}, 1);  // D acknowledges, then loses its disk
  // D's replacement (disk 1) has caught up with the durable records, but has not acknowledged
  // LSN 1: with C, only A, B and C of the current members hold it.
  acked(db1, first_epoch, d_replaced(), {C}, 1);
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

TEST_F(protocol_rules, during_a_replacement_what_the_lost_f_acknowledged_is_not_counted) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, F}, 1);  // F acknowledges, then loses its disk
  acked(db1, first_epoch, replacing_f_by_g(), {C}, 1);
  // A, B, C and the lost F: only 3 of ABCDEF can still hold LSN 1, and 3 of ABCDEG.
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

TEST_F(protocol_rules, a_record_durable_before_a_replacement_began_stays_durable) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  // LSN 1 in PG 1 (VCL waits for it), LSN 2 in PG 0.
  allocated(db1, first_epoch, 0, record(1, 1, cpl));
  allocated(db1, first_epoch, 0, record(2, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C, F}, 2, /*pg=*/0);  // LSN 2 is durable
  // Then F loses its disk: A, B, C are no longer 4 of ABCDEF, but LSN 2 was durable when
  // acknowledged. An acknowledgement under the new membership must not undo that.
  acked(db1, first_epoch, replacing_f_by_g(), {E}, 0, /*pg=*/0);
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 1, /*pg=*/1);
  points(db1, first_epoch, 2, 2);
  expect_no_violation();
}

TEST_F(protocol_rules, a_replacement_disk_starts_from_nothing) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  // D's disk 0 holds LSN 1, then is lost; its new disk 1 holds nothing of it.
  acked(db1, first_epoch, plain_pg(), {D}, 1);
  acked(db1, first_epoch, d_replaced(), {D}, 0);
  acked(db1, first_epoch, d_replaced(), {A, B, C}, 1);
  points(db1, first_epoch, 1, 1);
  expect_only("write_quorum", "db1 moved VCL to 1 over LSN 1 of PG 0");
}

// --- ack_epoch: a writer counts only acknowledgements of its own epoch [P18 §2.4] -------------

TEST_F(protocol_rules, acknowledgements_of_the_writer_epoch_are_counted) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  allocated(db2, db2_epoch, 3, record(14, 0, cpl));
  acked(db2, db2_epoch, plain_pg(), {A, B, C, D}, 14);
  points(db2, db2_epoch, 14, 14);
  expect_no_violation();
}

TEST_F(protocol_rules, an_acknowledgement_of_a_newer_epoch_is_reported) {
  db1_reaches_vdl_3();
  // db1 writes 4 and 5 while db2 recovers with epoch 1; segment E has joined epoch 1 and
  // answers with it, and db1 counts that answer.
  allocated(db1, first_epoch, 3, record(4, 0, not_cpl));
  allocated(db1, first_epoch, 3, record(5, 0, cpl));
  feed(facts::ack_counted{db1, first_epoch, db2_epoch, 0, E, 0, 5, plain_pg()});
  expect_only("ack_epoch", "db1 (epoch 0) counted an acknowledgement of epoch 1 from PG 0 slot 4");
}

TEST_F(protocol_rules, an_acknowledgement_of_another_epoch_counts_toward_no_quorum) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C}, 1);
  feed(facts::ack_counted{db1, first_epoch, db2_epoch, 0, D, 0, 1, plain_pg()});
  points(db1, first_epoch, 1, 1);
  // Both rules are broken: the acknowledgement was counted, and without it (as the rule
  // demands) A, B and C are no write quorum.
  ASSERT_EQ(found_.size(), 2U) << reasons();
  EXPECT_EQ(found_[0].invariant, "ack_epoch") << reasons();
  EXPECT_EQ(found_[1].invariant, "write_quorum") << reasons();
  EXPECT_NE(found_[1].reason.find("over LSN 1 of PG 0"), std::string::npos) << reasons();
}

TEST_F(protocol_rules, an_acknowledgement_of_an_older_epoch_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  allocated(db2, db2_epoch, 3, record(14, 0, cpl));
  feed(facts::ack_counted{db2, db2_epoch, first_epoch, 0, F, 0, 5, plain_pg()});
  expect_only("ack_epoch", "db2 (epoch 1) counted an acknowledgement of epoch 0 from PG 0 slot 5");
}

// --- vdl_at_cpl: VDL is a CPL at or below VCL [P17 §4.1] --------------------------------------

TEST_F(protocol_rules, vdl_may_stop_at_the_last_cpl_below_vcl) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  allocated(db1, first_epoch, 0, record(2, 0, not_cpl));
  allocated(db1, first_epoch, 0, record(3, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 2);
  points(db1, first_epoch, 2, 1);  // VCL inside the mini-transaction 2..3, VDL at its CPL 1
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 3);
  points(db1, first_epoch, 3, 3);  // VDL = VCL at a CPL
  expect_no_violation();
}

TEST_F(protocol_rules, vdl_inside_a_mini_transaction_is_reported) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  allocated(db1, first_epoch, 0, record(2, 0, not_cpl));
  allocated(db1, first_epoch, 0, record(3, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 2);
  points(db1, first_epoch, 2, 2);
  expect_only("vdl_at_cpl", "db1 set VDL to 2 (VCL 2)");
}

TEST_F(protocol_rules, vdl_above_vcl_is_reported) {
  opened(db1, first_epoch);
  points(db1, first_epoch, 0, 0);
  allocated(db1, first_epoch, 0, record(1, 0, cpl));
  allocated(db1, first_epoch, 0, record(2, 0, cpl));
  acked(db1, first_epoch, plain_pg(), {A, B, C, D}, 1);
  points(db1, first_epoch, 1, 2);
  expect_only("vdl_at_cpl", "db1 set VDL to 2 (VCL 1)");
}

TEST_F(protocol_rules, vdl_at_the_vdl_a_recovery_opened_at_is_allowed) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  // db2 recovers at VDL 3; the points it reports on opening are 3, an earlier writer's CPL.
  db2_recovers_at_vdl_3();
  expect_no_violation();
}

// --- commit_at_vdl: a commit is acknowledged once VDL reaches its commit record [P17 §4.2.2] ---

TEST_F(protocol_rules, a_commit_acknowledged_when_vdl_reaches_it_is_allowed) {
  db1_reaches_vdl_3();
  feed(facts::committed{db1, first_epoch, /*commit=*/3, /*vdl=*/3});
  expect_no_violation();
}

TEST_F(protocol_rules, a_commit_acknowledged_before_vdl_reaches_it_is_reported) {
  db1_reaches_vdl_3();
  allocated(db1, first_epoch, 3, record(4, 0, cpl));
  feed(facts::committed{db1, first_epoch, /*commit=*/4, /*vdl=*/3});
  expect_only("commit_at_vdl", "db1 acknowledged the commit at LSN 4 with VDL at 3");
}

TEST_F(protocol_rules, a_commit_at_a_record_inside_a_mini_transaction_is_reported) {
  db1_reaches_vdl_3();
  feed(facts::committed{db1, first_epoch, /*commit=*/2, /*vdl=*/3});
  expect_only("commit_at_vdl", "db1 acknowledged the commit at LSN 2 with VDL at 3");
}

// --- read_point_at_cpl: a read point is a CPL at or below its writer's VDL [P17 §4.2.3] --------

TEST_F(protocol_rules, reads_at_the_writer_vdl_are_allowed) {
  db1_reaches_vdl_3();
  allocated(db1, first_epoch, 3, record(4, 0, not_cpl));
  allocated(db1, first_epoch, 3, record(5, 0, cpl));
  // The writer reads at its VDL, from storage and from its cache (a version exactly at the read
  // point); a replica of epoch 0 reads at the VDL the writer sent it, and at an older one.
  writer_read(db1, first_epoch, 3);
  writer_read(db1, first_epoch, 3, /*from_cache=*/3);
  replica_read(db2, first_epoch, 3);
  replica_read(db2, first_epoch, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, a_read_answered_by_a_segment_complete_to_the_read_point_is_allowed) {
  feed(facts::read_answered{db2, 0, 3, /*read_point=*/5, /*complete_to=*/4, /*segment_scl=*/4});
  feed(facts::read_answered{db1, 0, 1, 5, 5, 9});
  expect_no_violation();
}

TEST_F(protocol_rules, a_read_answered_by_a_segment_with_a_gap_is_reported) {
  feed(facts::read_answered{db2, 0, 3, /*read_point=*/5, /*complete_to=*/4, /*segment_scl=*/2});
  expect_only("read_from_complete_segment",
              "PG 0 slot 3 answered a read of db2 at read point 5 with SCL 2, below 4");
}

TEST_F(protocol_rules, a_replica_read_point_that_moves_forward_or_stays_is_allowed) {
  replica_point(db2, first_epoch, 3);
  replica_point(db2, first_epoch, 3);
  replica_point(db2, first_epoch, 7);
  replica_point(db3, first_epoch, 5);  // another replica has its own
  expect_no_violation();
}

TEST_F(protocol_rules, a_replica_read_point_that_goes_back_is_reported) {
  replica_point(db2, first_epoch, 7);
  replica_point(db2, first_epoch, 5);  // a late, older VDL notice
  expect_only("read_point_at_cpl", "db2 (replica) moved its read point back from 7 to 5");
}

// A replica follows only the newest writer it knows: a VDL notice from an older writer (a zombie
// still running after a failover) must not become its read point, even a higher one.
TEST_F(protocol_rules, a_replica_that_follows_an_older_writer_is_reported) {
  replica_point(db2, db2_epoch, 3);
  replica_point(db2, first_epoch, 5);  // the zombie db1's notice
  expect_only("read_point_at_cpl", "db2 (replica) took read point 5 from the writer of epoch 0",
              "follows only the newest writer it knows");
}

// After a crash a replica knows nothing: following whichever writer it hears first, and a lower
// read point than before the crash, is no violation.
TEST_F(protocol_rules, a_restarted_replica_starts_over) {
  replica_point(db2, db2_epoch, 7);
  feed(facts::restarted{db2});
  replica_point(db2, first_epoch, 5);
  expect_no_violation();
}

TEST_F(protocol_rules, a_replica_read_point_above_its_writers_vdl_is_reported) {
  db1_reaches_vdl_3();
  allocated(db1, first_epoch, 3, record(4, 0, not_cpl));
  allocated(db1, first_epoch, 3, record(5, 0, cpl));
  // 5 is a CPL, but not durable yet: the writer's VDL is 3.
  replica_read(db2, first_epoch, 5);
  expect_only("read_point_at_cpl",
              "db2 (replica) read at read point 5, but its writer's VDL was 3");
}

TEST_F(protocol_rules, a_replica_read_point_is_judged_by_the_writer_it_follows) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  allocated(db2, db2_epoch, 3, record(14, 0, cpl));
  acked(db2, db2_epoch, plain_pg(), {A, B, C, D}, 14);
  points(db2, db2_epoch, 14, 14);
  // db3, a replica that last heard from db1 (epoch 0), may read at 3, the VDL db1 sent it...
  replica_read(db3, first_epoch, 3);
  expect_no_violation();
  // ...but 14 is a VDL only db2 (epoch 1) reached: db1 never sent it.
  replica_read(db3, first_epoch, 14);
  expect_only("read_point_at_cpl",
              "db3 (replica) read at read point 14, but its writer's VDL was 3");
}

TEST_F(protocol_rules, a_replica_read_point_inside_a_mini_transaction_is_reported) {
  db1_reaches_vdl_3();
  // 2 is below VDL 3 but inside the mini-transaction 2..3.
  replica_read(db2, first_epoch, 2);
  expect_only("read_point_at_cpl", "db2 (replica) read at read point 2");
}

TEST_F(protocol_rules, a_cache_read_above_the_read_point_is_reported) {
  db1_reaches_vdl_3();
  allocated(db1, first_epoch, 3, record(4, 0, not_cpl));
  allocated(db1, first_epoch, 3, record(5, 0, cpl));
  // The cache holds version 4 of the key, one above the read point (VDL 3), not durable yet.
  writer_read(db1, first_epoch, 3, /*from_cache=*/4);
  expect_only("read_point_at_cpl",
              "db1 (writer) served the version at LSN 4 from its cache, above its read point 3");
}

// --- gc_keeps_read_points: segments never collect what a writer read in flight needs ---------

TEST_F(protocol_rules, gc_refusing_a_replica_read_is_not_reported) {
  db1_reaches_vdl_3();
  // A replica that went silent loses its hold on PGMRPL (feedback TTL): it reads again at a
  // newer read point.
  replica_read(db2, first_epoch, 1);
  gc_refused(db2, /*as_writer=*/false, C, 1);
  expect_no_violation();
}

TEST_F(protocol_rules, gc_refusing_a_writer_read_is_reported) {
  db1_reaches_vdl_3();
  writer_read(db1, first_epoch, 3);
  gc_refused(db1, /*as_writer=*/true, C, 3);
  expect_only("gc_keeps_read_points",
              "PG 0 slot 2 had garbage-collected the versions a read of the writer db1 at read "
              "point 3 needs");
}

// --- truncation_bounds: [VDL + 1, max(VDL, earlier tops) + LAL], above all allocated LSNs ------
// Each starts from db1 at VDL 3 with records 4 and 5 allocated above it, never durable.

TEST_F(protocol_rules, a_truncation_from_vdl_plus_one_to_vdl_plus_lal_is_allowed) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  truncated(db2, db2_epoch, 3, 4, 13);
  expect_no_violation();
}

TEST_F(protocol_rules, a_truncation_starting_at_vdl_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  truncated(db2, db2_epoch, 3, 3, 13);  // would remove the durable record 3
  expect_only("truncation_bounds",
              "db2 (epoch 1) truncated [3, 13] at VDL 3: the range must start at VDL + 1 = 4");
}

TEST_F(protocol_rules, a_truncation_one_short_of_vdl_plus_lal_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  truncated(db2, db2_epoch, 3, 4, 12);
  expect_only("truncation_bounds",
              "db2 (epoch 1) truncated [4, 12] at VDL 3: the range must reach max(VDL, "
              "earlier ranges) + LAL = 13");
}

TEST_F(protocol_rules, a_second_truncation_reaching_the_earlier_top_plus_lal_is_allowed) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  // db2 crashes before anything of its own is durable; db1 recovers, still at VDL 3. db2 may
  // have allocated up to 13 + LAL = 23, so the range must reach 23.
  truncated(db1, db1_epoch, 3, 4, 23);
  opened(db1, db1_epoch);
  expect_no_violation();
}

TEST_F(protocol_rules, a_truncation_ignoring_an_earlier_range_top_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  db2_recovers_at_vdl_3();
  truncated(db1, db1_epoch, 3, 4, 13);  // VDL + LAL, as if [4, 13] had never been decided
  expect_only("truncation_bounds",
              "db1 (epoch 2) truncated [4, 13] at VDL 3: the range must reach max(VDL, "
              "earlier ranges) + LAL = 23");
}

TEST_F(protocol_rules, a_truncation_may_end_exactly_at_the_highest_allocated_lsn) {
  db1_reaches_vdl_3();
  for (lsn id = 4; id <= 13; ++id) allocated(db1, first_epoch, 3, record(id, 0, cpl));
  truncated(db2, db2_epoch, 3, 4, 13);  // 13 = VDL 3 + LAL, the last LSN db1 could allocate
  expect_no_violation();
}

TEST_F(protocol_rules, a_truncation_below_an_allocated_lsn_is_reported) {
  db1_reaches_vdl_3();
  for (lsn id = 4; id <= 13; ++id) allocated(db1, first_epoch, 3, record(id, 0, cpl));
  // A recovery that found VDL 1 (a CPL, but below the VDL 3 db1 reached): [2, 12] is long
  // enough for VDL 1 (it reaches 1 + LAL = 11), yet stops one short of LSN 13, which survives.
  truncated(db2, db2_epoch, 1, 2, 12);
  expect_only("truncation_bounds",
              "db2 (epoch 1) truncated [2, 12] at VDL 1: LSN 13 was allocated above the range");
}

TEST_F(protocol_rules, a_truncation_at_a_vdl_inside_a_mini_transaction_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  truncated(db2, db2_epoch, 2, 3, 12);  // 2 is inside the mini-transaction 2..3
  expect_only("truncation_bounds",
              "db2 (epoch 1) truncated [3, 12] at VDL 2: its VDL 2 is not a CPL");
}

// facts::truncated carries `written`, false when the recovery never writes its range to storage
// (the unsafe variant no-truncation). Such a recovery removes nothing above VDL: the dead tail
// stays on the segments, and no later recovery learns of the range. Reported at this very fact.
TEST_F(protocol_rules, a_recovery_that_never_writes_its_truncation_range_is_reported) {
  db1_reaches_vdl_3();
  db1_writes_4_and_5_and_crashes();
  truncated(db2, db2_epoch, 3, 4, 13, /*written=*/false);
  expect_only("truncation_bounds", "db2 (epoch 1) truncated [4, 13] at VDL 3");
}

// --- one_writer_per_epoch: one instance per epoch, epochs opened in increasing order ----------

TEST_F(protocol_rules, epochs_opened_by_one_instance_each_in_increasing_order_are_allowed) {
  opened(db1, first_epoch);
  opened(db2, db2_epoch);
  opened(db1, db1_epoch);
  expect_no_violation();
}

TEST_F(protocol_rules, two_instances_opening_one_epoch_are_reported) {
  opened(db1, first_epoch);
  opened(db1, 1);
  opened(db2, 1);
  expect_only("one_writer_per_epoch", "db2 opened epoch 1, which db1 had opened");
}

TEST_F(protocol_rules, an_epoch_opened_after_a_newer_one_is_reported) {
  opened(db1, first_epoch);
  opened(db2, 2);
  opened(db1, 1);
  expect_only("one_writer_per_epoch", "db1 opened epoch 1 after epoch 2 had opened");
}

}  // namespace
