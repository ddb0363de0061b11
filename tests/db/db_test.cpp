// Unit and end-to-end tests of the database layer: the writer's LSN points (PGCL, VCL, VDL), the
// recovery computation, and whole clusters under faults.
//
// lsn_points and compute_recovery are arithmetic, so their tests are tables of small cases built
// by hand. The cluster tests run the whole model on the simulator and check, besides what each
// test asserts, that the named invariants (check/invariants.hpp) hold after every millisecond.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aurora/check/fact_log.hpp"
#include "aurora/check/history.hpp"
#include "aurora/check/invariants.hpp"
#include "aurora/db/cluster.hpp"
#include "aurora/db/instance.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/recovery.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/storage/membership.hpp"
#include "aurora/storage/quorum.hpp"

namespace aurora::db {
namespace {

using storage::log_record;
using storage::recovery_summary;

const storage::quorum_sizes aurora_sizes{storage::aurora_quorum{}};

// Every storage node of the default fleet (2 per AZ), as partition members: `az X` would take
// the instances living in the AZ too.
std::vector<sim::target> every_storage_node() {
  std::vector<sim::target> nodes;
  for (const char* name : {"a1", "a2", "b1", "b2", "c1", "c2"}) nodes.push_back({name, false});
  return nodes;
}

// --- lsn_points ---------------------------------------------------------------------------------

log_record rec(lsn id, bool cpl, pg_id pg = 0) {
  log_record made;
  made.id = id;
  made.pg = pg;
  made.cpl = cpl;
  made.commit = cpl;
  return made;
}

// The writer's bookkeeping for one or more PGs, with the acks of each slot.
struct points_fixture {
  explicit points_fixture(int pgs = 1) : points(aurora_sizes, pgs), members(pgs) {}
  void append(std::initializer_list<log_record> records) {
    for (const log_record& each : records) points.append(each);
  }
  // Slots `first..first+count-1` of `pg` report `scl` from their current disk.
  bool ack(pg_id pg, std::initializer_list<int> slots, lsn scl) {
    bool moved = false;
    for (int slot : slots) {
      moved |= points.acknowledge(pg, slot, members[pg].disk(slot), scl, members[pg]);
    }
    return moved;
  }
  lsn_points points;
  std::vector<storage::pg_membership> members;
};

TEST(lsn_points, the_design_example_complete_to_1007_gives_vdl_1000) {
  points_fixture f;
  f.append({rec(900, true), rec(950, false), rec(1000, true), rec(1007, false), rec(1100, true)});
  f.ack(0, {0, 1, 2, 3}, 1007);
  EXPECT_EQ(f.points.pgcl(0), 1007u);
  EXPECT_EQ(f.points.vcl(), 1007u);
  EXPECT_EQ(f.points.vdl(), 1000u);
}

TEST(lsn_points, complete_to_7_with_cpls_at_3_5_8_gives_vcl_7_and_vdl_5) {
  points_fixture f;
  for (lsn id = 1; id <= 8; ++id) f.points.append(rec(id, id == 3 || id == 5 || id == 8));
  EXPECT_TRUE(f.ack(0, {0, 1, 2, 3}, 7));
  EXPECT_EQ(f.points.vcl(), 7u);
  EXPECT_EQ(f.points.vdl(), 5u);
  ASSERT_EQ(f.points.above_vdl().size(), 3u);  // 6, 7, 8 are kept for resending
  EXPECT_EQ(f.points.above_vdl().front().id, 6u);
}

struct pgcl_case {
  std::array<lsn, 6> scl;
  lsn pgcl;
};

TEST(lsn_points, pgcl_is_the_fourth_highest_scl) {
  const pgcl_case table[] = {
      {{0, 0, 0, 0, 0, 0}, 0}, {{9, 8, 7, 6, 5, 4}, 6},      {{9, 9, 9, 0, 0, 0}, 0},
      {{5, 5, 5, 5, 0, 0}, 5}, {{10, 3, 7, 7, 2, 8}, 7},     {{1, 2, 3, 4, 5, 6}, 3},
      {{4, 4, 4, 4, 4, 4}, 4}, {{0, 0, 12, 12, 12, 11}, 11},
  };
  for (const pgcl_case& each : table) {
    points_fixture f;
    for (int slot = 0; slot < 6; ++slot) f.ack(0, {slot}, each.scl[slot]);
    EXPECT_EQ(f.points.pgcl(0), each.pgcl);
    EXPECT_EQ(f.points.compute_pgcl(0, f.members[0]), each.pgcl);
  }
}

TEST(lsn_points, vdl_moves_only_at_consistency_points) {
  points_fixture f;
  f.append({rec(1, false), rec(2, false), rec(3, false), rec(4, true)});
  for (lsn scl = 1; scl <= 3; ++scl) {
    EXPECT_FALSE(f.ack(0, {0, 1, 2, 3}, scl)) << scl;
    EXPECT_EQ(f.points.vcl(), scl);
    EXPECT_EQ(f.points.vdl(), 0u);
  }
  EXPECT_TRUE(f.ack(0, {0, 1, 2, 3}, 4));
  EXPECT_EQ(f.points.vdl(), 4u);
  EXPECT_TRUE(f.points.above_vdl().empty());
}

TEST(lsn_points, vdl_stays_below_vcl_at_a_mini_transaction_boundary) {
  points_fixture f;
  f.append({rec(1, true), rec(2, false), rec(3, true)});  // MTRs {1} and {2, 3}
  f.ack(0, {0, 1, 2, 3}, 2);
  EXPECT_EQ(f.points.vcl(), 2u);
  EXPECT_EQ(f.points.vdl(), 1u);
}

TEST(lsn_points, three_acks_are_not_a_write_quorum) {
  points_fixture f;
  f.append({rec(1, true)});
  EXPECT_FALSE(f.ack(0, {0, 2, 4}, 1));
  EXPECT_EQ(f.points.vdl(), 0u);
  EXPECT_TRUE(f.ack(0, {5}, 1));
  EXPECT_EQ(f.points.vdl(), 1u);
}

TEST(lsn_points, acks_from_a_replaced_disk_are_ignored) {
  points_fixture f;
  f.append({rec(1, true), rec(2, true)});
  f.ack(0, {0, 1, 2}, 1);
  f.members[0].replace(5, 1);  // F's disk (0) is lost; G lives on disk 1
  EXPECT_FALSE(f.points.acknowledge(0, 5, 0, 2, f.members[0]));  // a late ack from disk 0
  EXPECT_EQ(f.points.acked_scl(0, 5), 0u);
  EXPECT_EQ(f.points.vdl(), 0u);
  // G counts in ABCDEG but not in ABCDEF: ABC + G is 4 of the new set and 3 of the old.
  EXPECT_FALSE(f.points.acknowledge(0, 5, 1, 2, f.members[0]));
  EXPECT_EQ(f.points.acked_scl(0, 5, f.members[0]), 2u);
  EXPECT_EQ(f.points.pgcl(0), 0u);
  EXPECT_TRUE(f.ack(0, {3}, 2));  // D makes 4 of both sets
  EXPECT_EQ(f.points.vdl(), 1u);
}

TEST(lsn_points, an_scl_reported_before_the_disk_was_replaced_no_longer_counts) {
  points_fixture f;
  f.append({rec(1, true)});
  f.ack(0, {0, 1, 2, 5}, 1);  // only 4: A B C F
  ASSERT_EQ(f.points.vdl(), 1u);
  f.members[0].replace(5, 1);
  EXPECT_EQ(f.points.acked_scl(0, 5), 1u);
  EXPECT_EQ(f.points.acked_scl(0, 5, f.members[0]), 0u);
  EXPECT_EQ(f.points.compute_pgcl(0, f.members[0]), 0u);
}

TEST(lsn_points, vcl_stops_at_the_first_record_whose_pg_is_not_complete) {
  points_fixture f(2);
  f.append({rec(1, true, 0), rec(2, false, 1), rec(3, true, 0), rec(4, true, 1)});
  f.ack(0, {0, 1, 2, 3}, 3);
  EXPECT_EQ(f.points.pgcl(0), 3u);
  EXPECT_EQ(f.points.vcl(), 1u);  // 2 (PG 1) is not durable yet
  EXPECT_EQ(f.points.vdl(), 1u);
  f.ack(1, {0, 1, 2, 3}, 2);
  EXPECT_EQ(f.points.vcl(), 3u);
  EXPECT_EQ(f.points.vdl(), 3u);
  f.ack(1, {0, 1, 2, 3}, 4);
  EXPECT_EQ(f.points.vcl(), 4u);
  EXPECT_EQ(f.points.vdl(), 4u);
}

TEST(lsn_points, reset_starts_a_writer_at_a_recovered_vdl) {
  points_fixture f;
  f.append({rec(1, true), rec(2, true)});
  f.points.reset(40);
  EXPECT_EQ(f.points.vcl(), 40u);
  EXPECT_EQ(f.points.vdl(), 40u);
  EXPECT_TRUE(f.points.above_vdl().empty());
  EXPECT_EQ(f.points.pgcl(0), 0u);
  f.append({rec(1041, true)});
  f.ack(0, {0, 1, 2, 3}, 1041);
  EXPECT_EQ(f.points.vdl(), 1041u);
}

// --- compute_recovery ---------------------------------------------------------------------------

constexpr lsn unset = storage::max_lsn;

// A chain record as a segment reports it: its LSN, volume back-link and CPL flag.
log_record entry(lsn id, lsn previous_in_volume, bool cpl) {
  log_record made = rec(id, cpl);
  made.previous_in_volume = previous_in_volume;
  return made;
}

// A segment's answer; the tail at the hint defaults to min(vdl_hint, scl), as a real chain has.
recovery_summary summary(lsn vdl_hint, lsn scl, std::vector<log_record> entries,
                         storage::truncation_history truncations = {}, storage::epoch e = 0,
                         lsn tail_at_hint = unset) {
  recovery_summary made;
  made.vdl_hint = vdl_hint;
  made.scl = scl;
  made.entries = std::move(entries);
  made.tail_at_hint = tail_at_hint == unset ? std::min(vdl_hint, scl) : tail_at_hint;
  made.truncations = std::move(truncations);
  made.volume_epoch = e;
  return made;
}

struct recovery_case {
  const char* name;
  std::vector<pg_answers> answers;
  lsn base, vcl, vdl;
  std::vector<lsn> pg_tails;
  std::vector<std::vector<lsn>> kept;  // per PG: the LSNs in (base, VDL] it re-replicates
  lsn truncate_from, truncate_to;      // with LAL = 10
  storage::epoch highest_epoch;
  std::vector<storage::truncation_range> earlier = {};  // the latest decision's ranges
};

// Columns: name; answers per PG; base, VCL, VDL; PG tails; kept LSNs per PG; the new range
// [from, to] with LAL = 10; highest epoch; ranges of the latest earlier decision.
std::vector<recovery_case> recovery_cases() {
  using r = storage::truncation_range;
  using h = storage::truncation_history;
  // clang-format off
  return {
      {"an empty volume",
       {{{summary(0, 0, {}), summary(0, 0, {}), summary(0, 0, {})}}},
       0, 0, 0, {0}, {{}}, 1, 10, 0},
      {"the base is the highest vdl hint",
       {{{summary(3, 3, {}), summary(5, 5, {}), summary(4, 4, {})}}},
       5, 5, 5, {5}, {{}}, 6, 15, 0},
      {"vcl follows the volume chain and vdl is its last cpl",
       {{{summary(2, 5, {entry(3, 2, false), entry(4, 3, true), entry(5, 4, false)}),
          summary(2, 2, {}), summary(0, 2, {entry(1, 0, false), entry(2, 1, true)})}}},
       2, 5, 4, {4}, {{3, 4}}, 5, 14, 0},
      {"a hole in the chain stops vcl",
       {{{summary(2, 5, {entry(3, 2, true), entry(5, 4, true)}), summary(2, 2, {}),
          summary(2, 2, {})}}},
       2, 3, 3, {3}, {{3}}, 4, 13, 0},
      {"the chain is pieced together from several segments",
       {{{summary(2, 4, {entry(3, 2, false), entry(4, 3, false)}),
          summary(2, 6, {entry(5, 4, false), entry(6, 5, true)}), summary(2, 2, {})}}},
       2, 6, 6, {6}, {{3, 4, 5, 6}}, 7, 16, 0},
      {"records at or below the base are ignored",
       {{{summary(0, 3, {entry(1, 0, true), entry(2, 1, true), entry(3, 2, false)}),
          summary(2, 2, {}), summary(1, 1, {})}}},
       2, 3, 2, {2}, {{}}, 3, 12, 0},
      {"two protection groups: each pg gets its own tail",
       {{{summary(0, 3, {entry(1, 0, false), entry(3, 2, true)}),
          summary(0, 1, {entry(1, 0, false)}), summary(0, 0, {})}},
        {{summary(0, 2, {entry(2, 1, false)}), summary(0, 0, {}), summary(0, 0, {})}}},
       0, 3, 3, {3, 2}, {{1, 3}, {2}}, 4, 13, 0},
      {"a pg whose last record is above vdl keeps the tail below it",
       {{{summary(0, 1, {entry(1, 0, true)}), summary(0, 0, {}), summary(0, 0, {})}},
        {{summary(0, 2, {entry(2, 1, false)}), summary(0, 0, {}), summary(0, 0, {})}}},
       0, 2, 1, {1, 0}, {{1}, {}}, 2, 11, 0},
      {"an unfinished earlier truncation above vdl raises the top of the new range",
       {{{summary(5, 5, {}, h{1, {r{1, 6, 20}}}, 1), summary(5, 5, {}, {}, 2),
          summary(3, 3, {}, {}, 1)}}},
       5, 5, 5, {5}, {{}}, 6, 30, 2, {r{1, 6, 20}}},
      {"an earlier truncation below vdl does not",
       {{{summary(25, 25, {}, h{1, {r{1, 6, 20}}}, 1), summary(5, 5, {}), summary(5, 5, {})}}},
       25, 25, 25, {25}, {{}}, 26, 35, 1, {r{1, 6, 20}}},
      {"a record that a known truncation removed is not walked",
       {{{summary(2, 4, {entry(3, 2, true), entry(4, 3, true)}),
          summary(2, 2, {}, h{1, {r{1, 3, 10}}}, 1), summary(2, 2, {})}}},
       2, 2, 2, {2}, {{}}, 3, 20, 1, {r{1, 3, 10}}},
      {"the newest decision wins over an unfinished older one",
       {{{summary(2, 5, {entry(3, 2, false), entry(4, 3, true), entry(5, 4, true)},
                  h{1, {r{1, 3, 10}}}, 1),
          summary(2, 2, {}, h{2, {r{2, 5, 20}}}, 2), summary(2, 2, {})}}},
       2, 4, 4, {4}, {{3, 4}}, 5, 30, 2, {r{2, 5, 20}}},
      {"two records linking to the same one: the lower lsn wins",
       {{{summary(0, 2, {entry(1, 0, true), entry(2, 1, true)}),
          summary(0, 3, {entry(1, 0, true), entry(3, 1, true)}), summary(0, 0, {})}}},
       0, 2, 2, {2}, {{1, 2}}, 3, 12, 0},
  };
  // clang-format on
}

TEST(compute_recovery, table_of_cases) {
  for (const recovery_case& each : recovery_cases()) {
    SCOPED_TRACE(each.name);
    const recovery_outcome out = compute_recovery(each.answers, 10);
    EXPECT_EQ(out.base, each.base);
    EXPECT_EQ(out.vcl, each.vcl);
    EXPECT_EQ(out.vdl, each.vdl);
    EXPECT_EQ(out.pg_tails, each.pg_tails);
    std::vector<std::vector<lsn>> kept;
    for (const std::vector<log_record>& pg : out.kept) {
      kept.emplace_back();
      for (const log_record& record : pg) kept.back().push_back(record.id);
    }
    EXPECT_EQ(kept, each.kept);
    EXPECT_EQ(out.truncation.from, each.truncate_from);
    EXPECT_EQ(out.truncation.to, each.truncate_to);
    EXPECT_EQ(out.truncation.by_epoch, 0u);
    EXPECT_EQ(out.highest_epoch, each.highest_epoch);
    EXPECT_EQ(out.earlier, each.earlier);
  }
}

TEST(compute_recovery, takes_every_chain_record_that_a_read_quorum_shows) {
  // Three real segments answer; each saw the records 1..8 up to a different point and was told
  // VDL 2. Any record one of them holds may have been durable (the other three segments of the
  // PG are unknown), so recovery walks as far as the chain goes: to 8, a CPL.
  std::vector<storage::segment> segments(3);
  const lsn seen[] = {8, 6, 4};
  for (int index = 0; index < 3; ++index) {
    for (lsn id = 1; id <= seen[index]; ++id) {
      log_record record = rec(id, id == 2 || id == 5 || id == 8);
      record.previous_in_pg = record.previous_in_volume = id - 1;
      segments[index].accept(record);
    }
    segments[index].note_vdl(std::min<lsn>(2, seen[index]));  // the writer had told them VDL 2
  }
  std::vector<pg_answers> answers(1);
  for (const storage::segment& each : segments) {
    answers[0].summaries.push_back(each.summarize_for_recovery());
  }
  const recovery_outcome out = compute_recovery(answers, 100);
  EXPECT_EQ(out.base, 2u);
  EXPECT_EQ(out.vcl, 8u);  // one segment holds all of 8: it may have been durable
  EXPECT_EQ(out.vdl, 8u);
  EXPECT_EQ(out.truncation.from, 9u);
  EXPECT_EQ(out.truncation.to, 108u);
  ASSERT_EQ(out.kept.size(), 1u);
  EXPECT_EQ(out.kept[0].size(), 6u);  // 3..8: the writer stores them at a write quorum first
}

// --- whole clusters -----------------------------------------------------------------------------

// A cluster and its invariant checker, checked after every simulated millisecond.
struct checked_cluster {
  explicit checked_cluster(const ops::setup& config)
      : model(config, &facts), checker(model, facts) {}

  void run_until(sim::time_point until) {
    while (model.now() < until) {
      model.run_until(std::min(until, model.now() + sim::ms(1)));
      for (const check::violation& each : checker.check()) {
        ADD_FAILURE() << "invariant " << each.invariant << " broken at " << sim::to_string(each.at)
                      << ": " << each.reason;
      }
    }
  }
  void run_for(sim::duration span) { run_until(model.now() + span); }

  // Runs until `done` holds, at most `budget` longer; returns whether it held.
  template <class predicate>
  bool run_until_true(predicate done, sim::duration budget) {
    const sim::time_point deadline = model.now() + budget;
    while (!done() && model.now() < deadline) run_for(sim::ms(1));
    return done();
  }

  void apply(const sim::fault& fault) { model.apply(fault); }

  const check::operation& op(std::size_t index) const {
    return model.history().operations().at(index);
  }

  check::fact_log facts;  // what the instances decide, for the checker (and the tests)
  ops::simulation model;
  check::invariant_checker checker;
};

// c1 is a topology-aware client (it follows a failover at once), so that these tests of the
// protocol do not wait out a DNS TTL; `clients` below tests DNS caching itself.
ops::setup small_config(std::uint64_t seed = 1) {
  ops::setup config;
  config.seed = seed;
  config.op_timeout = sim::ms(100);
  config.clients["c1"] = ops::client_options{ops::dns_caching::ttl, {}, ops::client_path::smart};
  return config;
}

sim::fault crash(const std::string& name, bool az = false) { return sim::crash{{name, az}}; }
sim::fault restart(const std::string& name, bool az = false) { return sim::restart{{name, az}}; }

TEST(cluster, a_write_is_acknowledged_only_after_vdl_covers_it) {
  checked_cluster c(small_config());
  std::vector<std::pair<lsn, lsn>> commit_and_vdl;  // at the moment of each acknowledgement
  for (int index = 0; index < 6; ++index) {
    c.model.write("c" + std::to_string(index), {{"x", index}}, [&](const check::operation& op) {
      EXPECT_EQ(op.status, check::op_status::ok);
      commit_and_vdl.emplace_back(op.at, c.model.writer().vdl());
    });
  }
  c.run_for(sim::ms(50));
  ASSERT_EQ(commit_and_vdl.size(), 6u);
  for (const auto& [commit, vdl] : commit_and_vdl) {
    EXPECT_NE(commit, no_lsn);
    EXPECT_LE(commit, vdl);
  }
}

TEST(cluster, an_early_ack_variant_acknowledges_before_vdl) {
  // The check of the previous test, on the variant that breaks the rule: it must trip.
  ops::setup config = small_config();
  config.variant = teaching_variant::ack_before_vdl;
  ops::simulation model(config);
  int early = 0;
  model.write("c1", {{"x", 1}}, [&](const check::operation& op) {
    if (op.at > model.writer().vdl()) ++early;
  });
  model.run_until(sim::ms(50));
  EXPECT_EQ(early, 1);
}

TEST(cluster, a_transaction_is_one_mini_transaction_whose_last_record_commits) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}, {"y", 2}, {"z", 3}});
  c.run_for(sim::ms(20));
  ASSERT_EQ(c.op(0).status, check::op_status::ok);
  const std::vector<log_record>& records = c.facts.allocated();
  ASSERT_EQ(records.size(), 3u);
  for (std::size_t index = 0; index < 3; ++index) {
    EXPECT_EQ(records[index].id, index + 1);
    EXPECT_EQ(records[index].txn, 1u);
    EXPECT_EQ(records[index].previous_in_volume, index);
    EXPECT_EQ(records[index].cpl, index == 2);
    EXPECT_EQ(records[index].commit, index == 2);
  }
  EXPECT_EQ(c.op(0).at, 3u);
}

TEST(cluster, with_one_az_down_writes_and_reads_continue) {
  checked_cluster c(small_config());
  c.apply(crash("b", true));
  c.model.write("c1", {{"x", 1}});
  c.model.read("c1", "x");
  c.run_for(sim::ms(50));
  EXPECT_EQ(c.op(0).status, check::op_status::ok);
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
  EXPECT_EQ(c.op(1).value, std::optional<std::int64_t>(1));
}

TEST(cluster, with_az_plus_one_down_writes_stall_and_reads_continue) {
  ops::setup config = small_config();
  config.replicas = 1;
  config.instances = {db::instance_spec{'c'}};  // the writer outside the AZ that goes down
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  ASSERT_EQ(c.op(0).status, check::op_status::ok);
  c.apply(crash("a", true));
  c.apply(crash("b1"));
  c.model.write("c1", {{"x", 2}});  // op 1: never acknowledged
  c.model.read("c2", "x");          // op 2: through the writer
  c.model.read("c3", "x", "db2");   // op 3: a replica, which reads from storage
  c.run_for(sim::ms(50));
  EXPECT_EQ(c.op(1).status, check::op_status::pending);
  c.run_for(sim::ms(100));
  EXPECT_EQ(c.op(1).status, check::op_status::info);
  EXPECT_EQ(c.op(1).completed - c.op(1).invoked, config.op_timeout);
  for (std::size_t read : {2u, 3u}) {
    EXPECT_EQ(c.op(read).status, check::op_status::ok) << read;
    EXPECT_EQ(c.op(read).value, std::optional<std::int64_t>(1)) << read;
  }
  EXPECT_EQ(c.model.writer().vdl(), c.op(0).at);
}

TEST(cluster, a_restarted_writer_recovers_with_a_new_epoch_and_truncates_above_vdl) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}, {"y", 2}});
  c.run_for(sim::ms(20));
  ASSERT_EQ(c.op(0).status, check::op_status::ok);
  const lsn durable = c.model.writer().vdl();
  c.apply(crash("db1"));
  EXPECT_EQ(c.model.writer().role(), instance_role::replica);
  c.apply(restart("db1"));
  EXPECT_EQ(c.model.writer().role(), instance_role::recovering);
  ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::ms(100)));
  EXPECT_GT(c.model.writer().volume_epoch(), 0u);
  ASSERT_EQ(c.facts.truncations().size(), 1u);
  const storage::truncation_range cut = c.facts.truncations()[0];
  EXPECT_EQ(cut.by_epoch, c.model.writer().volume_epoch());
  EXPECT_EQ(cut.from, durable + 1);
  EXPECT_EQ(cut.to, durable + c.model.config().lal);

  const std::size_t before = c.facts.allocated().size();
  c.model.write("c1", {{"z", 3}});
  c.model.read("c1", "x");
  c.model.read("c1", "y");
  c.run_for(sim::ms(20));
  ASSERT_GT(c.facts.allocated().size(), before);
  for (std::size_t index = before; index < c.facts.allocated().size(); ++index) {
    EXPECT_GT(c.facts.allocated()[index].id, cut.to);
  }
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
  EXPECT_EQ(c.op(2).value, std::optional<std::int64_t>(1));
  EXPECT_EQ(c.op(3).value, std::optional<std::int64_t>(2));
}

TEST(cluster, a_second_recovery_truncates_from_above_the_first_range) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  for (int round = 0; round < 2; ++round) {
    c.apply(crash("db1"));
    c.apply(restart("db1"));
    ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                                 sim::ms(100)));
  }
  ASSERT_EQ(c.facts.truncations().size(), 2u);
  const storage::truncation_range first = c.facts.truncations()[0];
  const storage::truncation_range second = c.facts.truncations()[1];
  EXPECT_GT(second.by_epoch, first.by_epoch);  // each recovery wins a newer epoch
  EXPECT_EQ(second.by_epoch, c.model.writer().volume_epoch());
  EXPECT_EQ(second.from, first.from);  // no writes in between: VDL is the same
  EXPECT_EQ(second.to, first.to + c.model.config().lal);
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(20));
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
  EXPECT_GT(c.op(1).at, second.to);
}

// An instance's role is a variant: writer state (epoch, LSN points) exists only while it writes.
// A crash drops it; the recovery that follows is its own role until it opens a new writer.
TEST(cluster, writer_state_exists_only_while_the_instance_writes) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  const lsn durable = c.model.writer().vdl();
  ASSERT_GT(durable, no_lsn);
  EXPECT_EQ(c.model.writer().vcl(), durable);
  c.apply(crash("db1"));
  EXPECT_EQ(c.model.writer().role(), instance_role::replica);
  EXPECT_EQ(c.model.writer().vcl(), no_lsn);
  EXPECT_EQ(c.model.writer().vdl(), no_lsn) << "a replica with no VDL notice has no read point";
  EXPECT_EQ(c.model.writer().volume_epoch(), 0u);
  c.apply(restart("db1"));
  EXPECT_EQ(c.model.writer().role(), instance_role::recovering);
  EXPECT_EQ(c.model.writer().volume_epoch(), 0u) << "a recovering instance writes with no epoch";
  ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::ms(100)));
  EXPECT_EQ(c.model.writer().volume_epoch(), 1u);
  EXPECT_EQ(c.model.writer().vdl(), durable);
}

// A restarted writer and a failover race: db1 restarts and starts recovering, and a failover to
// db2 comes before it has finished. Each recovery takes its epoch from the storage metadata
// service [P18 §2.4], so the two can never propose the same one: db1's abandoned round took the
// volume's epoch 1, and db2 opens with epoch 2.
TEST(cluster, a_failover_racing_a_restart_opens_a_newer_epoch_from_the_metadata_service) {
  ops::setup config = small_config();
  config.replicas = 1;
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  c.apply(crash("db1"));
  c.apply(restart("db1"));
  ASSERT_EQ(c.model.writer().role(), instance_role::recovering);
  c.model.apply(ops::failover{"db2"});
  ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::ms(100)));
  EXPECT_EQ(c.model.writer().name(), "db2");
  EXPECT_EQ(c.model.writer().volume_epoch(), 2u);
  EXPECT_NE(c.model.find_instance("db1").role(), instance_role::writer);
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(20));
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
  c.model.read("c2", "x");
  c.run_for(sim::ms(20));
  EXPECT_EQ(c.op(2).value, std::optional<std::int64_t>(2));
}

TEST(cluster, a_write_in_flight_when_the_writer_crashes_is_indeterminate) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  c.model.write("c1", {{"x", 2}});
  c.apply(crash("db1"));
  c.run_for(sim::ms(150));
  EXPECT_EQ(c.op(1).status, check::op_status::info);
}

// Issue 7, bug 2: the network duplicates every message; each transaction is committed once.
TEST(cluster, a_duplicated_request_is_committed_once_and_answered_again) {
  checked_cluster c(small_config());
  c.apply(sim::message_duplication{100});
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  c.apply(sim::message_duplication{0});
  ASSERT_EQ(c.op(0).status, check::op_status::ok);
  EXPECT_EQ(c.facts.allocated().size(), 1u) << "the copy of the request ran again";
  EXPECT_GT(
      c.model.network().probes().count("a duplicated client request was answered, not run again"),
      0u);
}

TEST(cluster, without_deduplication_a_copy_of_the_request_runs_again) {
  ops::setup config = small_config();
  config.variant = teaching_variant::no_request_dedup;
  checked_cluster c(config);
  c.apply(sim::message_duplication{100});
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  EXPECT_GT(c.facts.allocated().size(), 1u);
}

// A late copy (delayed past the client's next request) is dropped, never run.
TEST(cluster, a_late_copy_of_an_older_request_is_ignored) {
  checked_cluster c(small_config());
  c.apply(sim::message_duplication{100});
  c.apply(sim::message_delay{50, sim::ms(100)});
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(5));
  c.apply(sim::message_duplication{0});
  c.apply(sim::message_delay{0, sim::us(0)});
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(300));
  ASSERT_EQ(c.op(1).status, check::op_status::ok);
  for (const storage::log_record& each : c.facts.allocated()) {
    if (each.value == 1) {
      EXPECT_LT(each.id, c.op(1).at) << "x=1 was committed after x=2";
    }
  }
}

// Issue 7, bug 4: after a failover without a crash the old writer no longer serves as the writer.
TEST(cluster, a_failover_restarts_the_old_writer_as_a_replica) {
  ops::setup config = small_config();
  config.replicas = 1;
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(10));
  c.model.apply(ops::failover{"db2"});
  EXPECT_EQ(std::as_const(c.model).find_instance("db1").role(), instance_role::replica);
  ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::ms(100)));
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(50));
  ASSERT_EQ(c.op(1).status, check::op_status::ok);
  c.model.read("c2", "x", "db1");
  c.run_for(sim::ms(50));
  ASSERT_EQ(c.op(2).status, check::op_status::ok);
  EXPECT_EQ(c.op(2).value, std::optional<std::int64_t>(2));
}

// An old writer the control plane cannot reach (cut off from every storage node) is a zombie
// until a segment refuses its epoch; it then restarts as a replica.
TEST(cluster, a_zombie_writer_is_deposed_by_the_epoch_and_restarts_as_a_replica) {
  ops::setup config = small_config();
  config.replicas = 1;
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(10));
  c.apply(sim::partition{{{"db1", false}}, every_storage_node(), false});
  c.model.write("c2", {{"x", 2}});
  c.run_for(sim::ms(5));
  c.model.apply(ops::failover{"db2"});
  EXPECT_EQ(std::as_const(c.model).find_instance("db1").role(), instance_role::writer)
      << "reached anyway";
  c.run_for(sim::ms(10));
  c.apply(sim::heal{});
  ASSERT_TRUE(c.run_until_true(
      [&] { return std::as_const(c.model).find_instance("db1").role() == instance_role::replica; },
      sim::ms(50)));
  EXPECT_GT(c.model.network().probes().count("writer deposed by a newer epoch"), 0u);
  c.run_for(sim::ms(150));
  EXPECT_EQ(c.op(1).status, check::op_status::info);
}

// Issue 7, bug 5: three disks lost at once (one per AZ) and a writer restart.
TEST(cluster, recovery_finishes_when_three_disks_are_lost_at_once) {
  checked_cluster c(small_config());
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(10));
  for (const char* node : {"a1", "b1", "c1"}) c.apply(sim::destroy{node});
  c.apply(crash("db1"));
  c.run_for(sim::ms(10));
  c.apply(restart("db1"));
  ASSERT_TRUE(c.run_until_true([&] { return c.model.settled(); }, sim::s(2)));
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(50));
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
}

TEST(cluster, a_destroyed_node_is_repaired_and_no_data_is_lost) {
  checked_cluster c(small_config());
  for (int index = 0; index < 10; ++index)
    c.model.write("c1", {{"k" + std::to_string(index), index}});
  c.run_for(sim::ms(60));
  ASSERT_EQ(c.op(9).status, check::op_status::ok);
  c.apply(sim::destroy{"a1"});
  const storage::pg_membership& members = c.model.control().membership[0];
  EXPECT_TRUE(members.changing());
  EXPECT_TRUE(members.hydrating(0));
  EXPECT_FALSE(c.model.settled());
  c.model.write("c1", {{"k10", 10}});
  ASSERT_TRUE(c.run_until_true([&] { return c.model.settled(); }, sim::s(2)));
  EXPECT_EQ(members.identity(0), 6);
  EXPECT_EQ(members.disk(0), 1u);
  EXPECT_EQ(members.epoch(), 2u);
  for (const segment_view& each : c.model.segments()) {
    EXPECT_EQ(each.data->scl(), c.model.writer().vdl()) << each.node;
  }
  for (int index = 0; index <= 10; ++index) c.model.read("c2", "k" + std::to_string(index));
  c.run_for(sim::ms(50));
  for (int index = 0; index <= 10; ++index) {
    const check::operation& read = c.op(11 + static_cast<std::size_t>(index));
    EXPECT_EQ(read.status, check::op_status::ok);
    EXPECT_EQ(read.value, std::optional<std::int64_t>(index));
  }
}

TEST(cluster, lal_bounds_allocation_above_vdl_and_above_the_last_truncation) {
  ops::setup config = small_config();
  config.lal = 2;
  config.op_timeout = sim::s(1);
  check::fact_log facts;
  ops::simulation model(config, &facts);
  check::invariant_checker checker(model, facts);
  std::size_t allocated_max = 0;
  bool limit_reached = false;
  auto check_bound = [&] {
    if (model.writer().role() != instance_role::writer || facts.allocated().empty()) return;
    lsn floor = model.writer().vdl();
    for (const storage::truncation_range& each : facts.truncations())
      floor = std::max(floor, each.to);
    const lsn highest = facts.allocated().back().id;
    ASSERT_LE(highest, floor + config.lal);
    limit_reached |= highest == floor + config.lal && highest > 2;
    allocated_max = std::max<std::size_t>(allocated_max, highest);
  };
  auto step_until = [&](sim::time_point until) {
    while (model.now() < until && model.clock().step()) check_bound();
  };
  for (int client = 0; client < 8; ++client) {
    for (int each = 0; each < 5; ++each) {
      model.write("c" + std::to_string(client), {{"k" + std::to_string(client), each}});
    }
  }
  step_until(sim::ms(200));
  EXPECT_TRUE(limit_reached) << "the test never pushed against LAL";
  model.apply(crash("db1"));
  model.apply(restart("db1"));
  limit_reached = false;
  for (int client = 0; client < 8; ++client)
    model.write("c" + std::to_string(client), {{"j", client}});
  step_until(sim::ms(400));
  EXPECT_TRUE(limit_reached) << "the test never pushed against LAL after recovery";
  EXPECT_EQ(facts.truncations().size(), 1u);
  int acknowledged = 0;
  for (const check::operation& op : model.history().operations()) {
    acknowledged += op.status == check::op_status::ok ? 1 : 0;
  }
  EXPECT_EQ(acknowledged, 48);
  EXPECT_TRUE(checker.check().empty());
}

// The same operations and faults on a fresh cluster; returns it for comparison.
void drive(checked_cluster& c) {
  for (int index = 0; index < 5; ++index) {
    c.model.write("c" + std::to_string(index % 3), {{"x", index}, {"y", -index}});
    c.model.read("c" + std::to_string(3 + index % 2), "x");
  }
  c.run_for(sim::ms(10));
  c.apply(crash("a", true));
  c.model.write("c1", {{"z", 7}});
  c.run_for(sim::ms(10));
  c.apply(crash("db1"));
  c.apply(restart("db1"));
  c.apply(restart("a", true));
  c.model.write("c2", {{"z", 8}});
  c.model.read("c1", "z");
  c.run_for(sim::ms(200));
}

TEST(cluster, same_seed_and_operations_give_the_same_history_and_trace) {
  ops::setup config = small_config(42);
  config.trace = true;
  checked_cluster first(config), second(config);
  drive(first);
  drive(second);
  const auto& left = first.model.history().operations();
  const auto& right = second.model.history().operations();
  ASSERT_EQ(left.size(), right.size());
  for (std::size_t index = 0; index < left.size(); ++index) {
    EXPECT_EQ(left[index].status, right[index].status) << index;
    EXPECT_EQ(left[index].value, right[index].value) << index;
    EXPECT_EQ(left[index].at, right[index].at) << index;
    EXPECT_EQ(left[index].invoked, right[index].invoked) << index;
    EXPECT_EQ(left[index].completed, right[index].completed) << index;
  }
  const auto& events_left = first.model.trace().events();
  const auto& events_right = second.model.trace().events();
  ASSERT_EQ(events_left.size(), events_right.size());
  for (std::size_t index = 0; index < events_left.size(); ++index) {
    ASSERT_EQ(events_left[index].t, events_right[index].t) << index;
    ASSERT_EQ(events_left[index].kind, events_right[index].kind) << index;
  }
  EXPECT_EQ(first.facts.truncations(), second.facts.truncations());
}

TEST(cluster, a_different_seed_gives_different_timings) {
  // Shows that the comparison above is not vacuous.
  ops::setup config = small_config(42);
  config.trace = true;
  checked_cluster first(config);
  config.seed = 43;
  checked_cluster second(config);
  drive(first);
  drive(second);
  bool differs = first.model.trace().events().size() != second.model.trace().events().size();
  const auto& left = first.model.history().operations();
  const auto& right = second.model.history().operations();
  for (std::size_t index = 0; index < std::min(left.size(), right.size()); ++index) {
    differs |= left[index].completed != right[index].completed;
  }
  EXPECT_TRUE(differs);
}

TEST(cluster, every_acknowledged_write_survives_the_runs_above) {
  // The run of `drive`, then an explicit read-back of each key: the invariants were checked
  // every millisecond by checked_cluster; this checks the values themselves.
  checked_cluster c(small_config(9));
  drive(c);
  ASSERT_EQ(c.model.writer().role(), instance_role::writer);
  const std::size_t first_read = c.model.history().operations().size();
  for (const char* key : {"x", "y", "z"}) c.model.read("final", key);
  c.run_for(sim::ms(50));
  const check::invariant_checker& checker = c.checker;
  for (std::size_t index = first_read; index < first_read + 3; ++index) {
    const check::operation& read = c.op(index);
    ASSERT_EQ(read.status, check::op_status::ok);
    EXPECT_GE(read.at, checker.latest_acknowledged(read.key, read.invoked));
  }
  EXPECT_TRUE(c.checker.violations().empty());
}

// --- regressions: bugs found by these tests, each fixed in the header; the tests keep them fixed -

// Was a bug (instance.hpp, try_read): a replica sends `read_request{id, epoch_, ...}`, but a
// replica's `epoch_` is never set (only become_writer sets it; a replica only raises `known_epoch_`
// from VDL notices). Once any recovery has raised the volume epoch, every storage node refuses the
// replica's reads as stale (refuse_if_stale), the replica retries until read_attempts_max and the
// client's read fails. Replicas should send the epoch they follow (`known_epoch_`).
TEST(cluster, replica_reads_work_after_the_writer_recovered) {
  ops::setup config = small_config();
  config.replicas = 1;
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  c.apply(crash("db1"));
  c.apply(restart("db1"));
  ASSERT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::ms(100)));
  c.model.write("c1", {{"x", 2}});
  c.run_for(sim::ms(20));
  ASSERT_EQ(c.op(1).status, check::op_status::ok);
  c.model.read("c2", "x", "db2");
  c.run_for(sim::ms(100));
  EXPECT_EQ(c.op(2).status, check::op_status::ok);
  EXPECT_EQ(c.op(2).value, std::optional<std::int64_t>(2));
}

// Was a bug (instance.hpp, on(client_write) / may_allocate): a transaction that writes more keys
// than LAL can never be allocated (next_lsn + count - 1 <= VDL + LAL never holds), so it waits in
// `writer_.waiting` forever; and since a write is queued whenever the queue is not empty, every
// later write waits behind it: the writer accepts no write again. It should be refused (the
// client sees `fail`), or allocated once nothing else is in flight.
TEST(cluster, a_transaction_larger_than_lal_does_not_block_later_writes) {
  ops::setup config = small_config();
  config.lal = 2;
  checked_cluster c(config);
  c.model.write("c1", {{"x", 1}, {"y", 2}, {"z", 3}});
  c.run_for(sim::ms(10));
  c.model.write("c2", {{"x", 4}});
  c.run_for(sim::ms(200));
  EXPECT_NE(c.op(0).status, check::op_status::pending);
  EXPECT_EQ(c.op(1).status, check::op_status::ok);
}

// Was a bug (instance.hpp, pgmrpl): PGMRPL is "the lowest read point of any instance" (DESIGN.md
// §2.2, [P17 §4.2.3]), but the writer computes it from its own reads only. Segments therefore fold
// versions above the read point of a replica's read in flight (its read point is the VDL of the
// last notice, slightly behind the writer's), answer `below_gc_point` on every segment, and the
// replica's read fails. Under a steady write load some replica reads fail (3 of 300 here).
TEST(cluster, replica_reads_keep_working_while_segments_collect_garbage) {
  ops::setup config = small_config();
  config.replicas = 1;
  checked_cluster c(config);
  c.model.write("c0", {{"warm-up", 0}});
  c.run_for(sim::ms(20));
  for (int client = 0; client < 8; ++client) {
    for (int each = 0; each < 100; ++each) {
      c.model.write("w" + std::to_string(client), {{"k" + std::to_string(client), each}});
    }
  }
  for (int each = 0; each < 300; ++each) c.model.read("r", "k1", "db2");
  c.run_for(sim::s(3));
  int failed = 0;
  for (const check::operation& op : c.model.history().operations()) {
    if (op.kind == check::op_kind::read && op.status != check::op_status::ok) ++failed;
  }
  EXPECT_EQ(failed, 0);
}

// Was a bug when instances chose their epochs as ballots: two recoveries by the same instance
// whose read quorums do not overlap could both win the same epoch (after a crash an instance
// forgets its epoch and proposed the same ballot again; segments that never saw the first
// proposal accepted it). Here recovery A reaches only a1 a2 b1, decides "truncate [2, 1001]"
// there and cannot finish; db1 crashes again; recovery B reaches only b2 c1 c2, where LSN 2 is,
// keeps it (VDL 2) and decides "truncate [3, 1002]". Had A and B the same epoch, a1 a2 b1 would
// ignore B's decision once healed (install_truncations needs a *newer* decided_by) and refuse the
// kept LSN 2, and the designated writer would stay `recovering` forever. The storage metadata
// service gives every recovery a new epoch (A: 1, B: 2), so B's decision wins.
TEST(cluster, a_writer_that_crashes_in_two_recoveries_with_disjoint_quorums_recovers) {
  checked_cluster c(small_config());
  const std::vector<sim::target> left = {{"a1", false}, {"a2", false}, {"b1", false}};
  const std::vector<sim::target> right = {{"b2", false}, {"c1", false}, {"c2", false}};
  const std::vector<sim::target> writer = {{"db1", false}};
  c.model.write("c1", {{"x", 1}});
  c.run_for(sim::ms(20));
  c.apply(sim::partition{left, right, false});
  c.apply(sim::partition{writer, left, false});
  c.model.write("c1", {{"x", 2}});  // reaches b2 c1 c2 only: never acknowledged
  c.run_for(sim::ms(20));
  for (const std::vector<sim::target>* unreachable : {&right, &left}) {
    c.apply(crash("db1"));
    c.apply(sim::heal{});
    c.apply(sim::partition{left, right, false});
    c.apply(sim::partition{writer, *unreachable, false});
    c.apply(restart("db1"));
    c.run_for(sim::ms(20));
    ASSERT_EQ(c.model.writer().role(), instance_role::recovering);
  }
  c.apply(sim::heal{});
  EXPECT_TRUE(c.run_until_true([&] { return c.model.writer().role() == instance_role::writer; },
                               sim::s(1)));
}

// --- the invariant checker can fail ------------------------------------------------------------

// The writer cannot reach storage; a write is sent; the writer crashes and recovers.
std::vector<check::violation> write_then_lose_the_writer(teaching_variant variant) {
  ops::setup config = small_config();
  config.variant = variant;
  check::fact_log facts;
  ops::simulation model(config, &facts);
  check::invariant_checker checker(model, facts);
  model.apply(sim::partition{{{"db1", false}}, every_storage_node(), false});
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(150));
  model.apply(crash("db1"));
  model.apply(sim::heal{});
  model.apply(restart("db1"));
  model.run_until(sim::ms(300));
  checker.check();
  return checker.violations();
}

TEST(invariant_checker, finds_no_violation_when_the_write_was_never_acknowledged) {
  EXPECT_TRUE(write_then_lose_the_writer(teaching_variant::safe).empty());
}

TEST(invariant_checker, finds_the_lost_write_of_the_early_ack_variant) {
  const std::vector<check::violation> found =
      write_then_lose_the_writer(teaching_variant::ack_before_vdl);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().invariant, "durability");
  EXPECT_NE(found.front().reason.find("truncation"), std::string::npos) << found.front().reason;
}

// A segment whose SCL passed a record it lacks breaks scl_complete. The model never does this
// (SCL follows the PG back-links); here a forged record links back over LSN 2, which a1 missed
// while it was down, and arrives before gossip or a resend could fill the gap.
TEST(invariant_checker, finds_an_scl_that_skipped_a_record_of_its_chain) {
  check::fact_log facts;
  ops::simulation model(small_config(), &facts);
  check::invariant_checker checker(model, facts);
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(10));
  model.apply(crash("a1"));
  model.write("c1", {{"y", 2}});
  model.run_until(sim::ms(20));
  ASSERT_EQ(model.history().operations().at(1).status, check::op_status::ok);
  EXPECT_TRUE(checker.check().empty());
  model.apply(restart("a1"));
  storage::log_record forged{3, 2, /*previous_in_pg=*/1, 0, 0, 0, 3, 0, 9, true, true};
  sim::network<message>& net = model.network();
  net.send(
      model.writer().id(), net.find("a1"),
      storage::redo_batch{
          0, 0, std::vector<storage::log_record>{forged}, storage::no_lsn, storage::no_lsn, {}});
  model.run_until(model.now() + sim::us(900));
  const std::vector<check::violation> found = checker.check();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found.front().invariant, "scl_complete");
  EXPECT_NE(found.front().reason.find("lacks LSN 2"), std::string::npos) << found.front().reason;
}

// old_writer_stops: after a failover that restarted the old writer, no instance but the new one
// serves as the writer. The model always restarts a reachable old writer; here the old writer is
// a zombie (cut off both ways from every storage node, so the control plane left it running), and
// a forged fact claims the control plane restarted it: the checker must see it still writing.
TEST(invariant_checker, finds_an_old_writer_that_a_failover_did_not_stop) {
  ops::setup config = small_config();
  config.replicas = 1;
  check::fact_log facts;
  ops::simulation model(config, &facts);
  check::invariant_checker checker(model, facts);
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(10));
  std::vector<sim::target> storage_nodes;
  for (const char* node : {"a1", "a2", "b1", "b2", "c1", "c2"})
    storage_nodes.push_back({node, false});
  model.apply(sim::partition{{{"db1", false}}, storage_nodes, false});
  model.apply(ops::failover{"db2"});
  ASSERT_EQ(model.find_instance("db1").role(), instance_role::writer);  // a zombie, as designed
  EXPECT_TRUE(checker.check().empty());
  facts.report(
      {model.now(), model.current_step(), db::facts::failover{1, 2, /*old_reachable=*/true}});
  const std::vector<check::violation> found = checker.check();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found.front().invariant, "old_writer_stops");
  EXPECT_NE(found.front().reason.find("db1 still serves as the writer"), std::string::npos)
      << found.front().reason;
}

// --- the checker judges incrementally: what a later check must still find --------------------

// A model and its checker, checked only when a test says so (checked_cluster checks every ms).
struct checked_by_hand {
  check::fact_log facts;
  ops::simulation model{small_config(), &facts};
  check::invariant_checker checker{model, facts};
};

// A read is judged when it completes; the truncation that removes its version comes at a later
// check (forged here: the model truncates only above a VDL no read has passed), and must still be
// reported then: the checker keeps the versions reads returned and looks them up per new range.
TEST(invariant_checker, finds_a_dirty_read_whose_truncation_comes_at_a_later_check) {
  checked_by_hand c;
  auto& [facts, model, checker] = c;
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(10));
  model.read("c2", "x");
  model.run_until(sim::ms(20));
  const check::operation& read = model.history().operations().at(1);
  ASSERT_EQ(read.status, check::op_status::ok);
  ASSERT_NE(read.at, storage::no_lsn);
  EXPECT_TRUE(checker.check().empty());
  EXPECT_TRUE(checker.check().empty());  // judged once: nothing new
  const storage::truncation_range range{9, read.at, read.at + 10};
  facts.report({model.now(), model.current_step(), db::facts::truncated{1, 9, read.at - 1, range}});
  const std::vector<check::violation> found = checker.check();
  std::vector<std::string> names;
  for (const check::violation& each : found) names.push_back(each.invariant);
  EXPECT_NE(std::find(names.begin(), names.end(), "no_dirty_read"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "durability"), names.end());  // x=1 too
  for (const check::violation& each : found) {
    if (each.invariant != "no_dirty_read") continue;
    EXPECT_NE(each.reason.find("read of x by c2 -> 1 returned LSN " + std::to_string(read.at)),
              std::string::npos)
        << each.reason;
  }
}

// read_after_commit across checks: x=1 is acknowledged and checked; x=2 is acknowledged after
// that check; a read that started after x=2's acknowledgement returns x=1's version (forged into
// the history). The next check indexes x=2 before it judges the read, and reports it.
TEST(invariant_checker, finds_a_stale_read_after_a_write_acknowledged_between_two_checks) {
  checked_by_hand c;
  auto& [facts, model, checker] = c;
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(10));
  ASSERT_EQ(model.history().operations().at(0).status, check::op_status::ok);
  EXPECT_TRUE(checker.check().empty());
  model.write("c1", {{"x", 2}});
  model.run_until(sim::ms(20));
  const check::operation& second = model.history().operations().at(1);
  ASSERT_EQ(second.status, check::op_status::ok);
  const storage::lsn old_version = model.history().operations().at(0).at;
  check::operation stale;
  stale.process = "c9";
  stale.kind = check::op_kind::read;
  stale.key = *model.keys().find("x");
  stale.invoked = model.now();
  const std::uint64_t id = model.history().invoke(std::move(stale), model.keys());
  model.history().complete(id, check::op_status::ok, model.now(), 1, old_version);
  const std::vector<check::violation> found = checker.check();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found.front().invariant, "read_after_commit");
  EXPECT_EQ(found.front().reason, "read of x by c9 -> 1 returned the version at LSN " +
                                      std::to_string(old_version) + ", older than LSN " +
                                      std::to_string(second.at) +
                                      " acknowledged before the read started");
  EXPECT_TRUE(checker.check_everything().empty());  // the full re-scan agrees: nothing new
}

// durability after a lost disk, at a later check: x=1 is on every segment and checked; then the
// disks of all six segments are lost behind the control plane's back (the network's own
// `destroy`, so no replacement hydrates and the empty segments count as intact). The next check
// must re-judge PG 0, whose segments changed disk, and find x=1 held by none.
TEST(invariant_checker, finds_a_write_lost_with_its_disks_at_a_later_check) {
  checked_by_hand c;
  auto& [facts, model, checker] = c;
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(20));
  ASSERT_EQ(model.history().operations().at(0).status, check::op_status::ok);
  EXPECT_TRUE(checker.check().empty());
  model.run_until(sim::ms(30));
  EXPECT_TRUE(checker.check().empty());
  sim::network<message>& net = model.network();
  for (const char* node : {"a1", "a2", "b1", "b2"}) net.destroy(net.find(node));
  std::vector<check::violation> found = checker.check();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found.front().invariant, "read_quorum_overlap");
  EXPECT_NE(found.front().reason.find("held by only 2 of the 6 intact segments of PG 0"),
            std::string::npos)
      << found.front().reason;
  for (const char* node : {"c1", "c2"}) net.destroy(net.find(node));
  found = checker.check();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found.front().invariant, "durability");
  EXPECT_NE(found.front().reason.find("held by none of the 6 intact segments of PG 0"),
            std::string::npos)
      << found.front().reason;
}

// --- several clusters on one world -------------------------------------------------------------

// Two clusters on one world share its clock, network and storage fleet, and nothing else: the
// same key names are different keys, each cluster's checker judges its own history and facts, a
// node fault hits the segments of both volumes, and a failover of one leaves the other's writer.
// A fast clone [UG "Aurora cloning"] starts from the source's pages at its writer's VDL: it
// holds every write acknowledged before it was taken (in every PG, garbage-collected or not),
// and from then on the two volumes go their own ways. Later faults of the source's writer do
// not reach it. (The checkers do not judge a clone yet: its history starts in its source's.)
TEST(clone, a_clone_starts_from_the_source_at_its_vdl_and_then_the_two_diverge) {
  ops::setup config = small_config();
  config.protection_groups = 2;
  config.replicas = 1;
  ops::simulation model(config);
  for (int index = 0; index < 40; ++index) {  // enough for garbage collection to fold the log
    model.write("c1", {{"k" + std::to_string(index % 8), index}});
  }
  model.write("c2", {{"x", 1}, {"y", 1}});
  model.run_until(sim::ms(200));
  bool folded = false;  // some segment garbage-collected: the clone reads folded versions too
  for (const db::segment_view& each : model.segments()) {
    folded = folded || each.data->base_lsn() != storage::no_lsn;
  }
  ASSERT_TRUE(folded);
  db::cluster_config dev = config.main();
  dev.name = "dev1";
  dev.instance_prefix = "dev1-";
  dev.replicas = 0;
  dev.protection_groups = 1;  // the source's shape wins: a clone has its protection groups
  db::cluster* clone = model.clone_cluster("main", dev);
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(clone->config().protection_groups, 2);
  EXPECT_EQ(clone->writer().name(), "dev1-db1");
  EXPECT_THROW(model.clone_cluster("main", dev), usage_error) << "the name is taken";
  model.write("c1", {{"x", 2}});
  model.write("c3", {{"y", 3}}, {}, "dev1");
  model.run_until(sim::ms(300));
  model.apply(crash("db1"));  // the source loses its writer: nothing of the clone depends on it
  std::map<std::string, std::optional<std::int64_t>> seen;  // by client
  const auto read = [&](std::string_view client, std::string_view key, std::string_view on) {
    model.read(
        client, key, ops::endpoint::cluster(),
        [&seen](const check::operation& op) {
          EXPECT_EQ(op.status, check::op_status::ok) << op.process;
          seen[op.process] = op.value;
        },
        on);
  };
  read("c4", "x", "dev1");
  read("c5", "y", "dev1");
  read("c6", "k7", "dev1");
  model.run_until(sim::ms(400));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen["c4"], 1) << "the clone's x is the source's at the clone point";
  EXPECT_EQ(seen["c5"], 3) << "the clone's own write";
  EXPECT_EQ(seen["c6"], 39) << "a key whose versions the source had folded into its base";
  model.apply(restart("db1"));
  model.run_until(sim::s(12));  // main recovers (no failover needed: db1 is back)
  read("c7", "x", "main");
  read("c8", "y", "main");
  model.run_until(sim::s(13));
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen["c7"], 2) << "the source's later write";
  EXPECT_EQ(seen["c8"], 1) << "the clone's write never reaches the source";
}

// A clone is taken at the source writer's VDL: while no writer is open there is none to take.
TEST(clone, no_clone_is_taken_while_the_source_has_no_open_writer) {
  ops::setup config = small_config();
  ops::simulation model(config);
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(20));
  model.apply(crash("db1"));
  db::cluster_config dev = config.main();
  dev.name = "dev1";
  dev.instance_prefix = "dev1-";
  EXPECT_EQ(model.clone_cluster("main", dev), nullptr);
  EXPECT_EQ(model.clusters().size(), 1u);
}

TEST(world, two_clusters_on_one_fleet_keep_their_data_apart) {
  ops::setup config = small_config();
  config.replicas = 1;
  check::fact_log main_facts, green_facts;
  ops::simulation model(config, &main_facts);
  db::cluster_config green = config.main();
  green.name = "green";
  green.instance_suffix = "-green";
  green.instances = {db::instance_spec{'c'}};  // green's writer is not in AZ a; main's is
  db::cluster& second = model.add_cluster(green, &green_facts);
  check::invariant_checker main_checker(model, main_facts);
  check::invariant_checker green_checker(model, green_facts, "green");
  EXPECT_EQ(model.main().volume(), 0u);
  EXPECT_EQ(second.volume(), 1u);
  EXPECT_EQ(second.writer().name(), "db1-green");
  EXPECT_TRUE(second.has_instance("db2-green"));
  EXPECT_THROW(model.add_cluster(green), usage_error);

  const auto run_for = [&](sim::duration span) {
    const sim::time_point until = model.now() + span;
    while (model.now() < until) {
      model.run_until(std::min(until, model.now() + sim::ms(1)));
      for (check::invariant_checker* checker : {&main_checker, &green_checker}) {
        for (const check::violation& each : checker->check()) {
          ADD_FAILURE() << each.invariant << ": " << each.reason;
        }
      }
    }
  };
  model.write("c1", {{"x", 1}});
  model.write("c2", {{"x", 2}}, {}, "green");
  run_for(sim::ms(20));
  model.apply(crash("a", true));  // both volumes lose two copies of every PG, and main its writer
  model.write("c1", {{"x", 3}});
  model.failover(std::nullopt);  // main's db2 (in AZ b) takes over; green's writer stays
  run_for(sim::ms(50));
  model.read("c3", "x");
  model.read("c4", "x", "", {}, "green");
  model.read("c5", "x", "reader", {}, "green");
  run_for(sim::ms(150));
  const std::vector<check::operation>& ops = model.history().operations();
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[0].status, check::op_status::ok);
  EXPECT_EQ(ops[1].status, check::op_status::ok);
  EXPECT_EQ(ops[1].cluster, "green");
  EXPECT_EQ(model.main().writer().name(), "db2");
  EXPECT_EQ(second.writer().name(), "db1-green");
  EXPECT_EQ(ops[3].value, ops[2].status == check::op_status::ok ? std::optional<std::int64_t>(3)
                                                                : std::optional<std::int64_t>(1));
  EXPECT_EQ(ops[4].value, std::optional<std::int64_t>(2)) << "green reads its own x";
  EXPECT_EQ(ops[5].value, std::optional<std::int64_t>(2)) << "green's replica reads its own x";
  EXPECT_EQ(main_facts.allocated().size(), ops[2].status == check::op_status::ok ? 2u : 1u);
  EXPECT_EQ(green_facts.allocated().size(), 1u);
  // Each volume has its own segments on the same nodes.
  const std::vector<segment_view> main_segments = model.main().segments();
  const std::vector<segment_view> green_segments = second.segments();
  ASSERT_EQ(main_segments.size(), green_segments.size());
  EXPECT_EQ(main_segments[0].node, green_segments[0].node);
  EXPECT_NE(main_segments[0].data, green_segments[0].data);
}

// --- scenarios through the runner ---------------------------------------------------------------

// The language's AZ+1 example, with the writer placed outside zone a: since version 2, instances
// live in AZs and db1 is in a unless placed elsewhere (the next test runs it as written).
TEST(runner, the_scenario_md_az_plus_one_example_passes) {
  const char* text =
      R"(# AZ+1: lose zone a and one more node; writes stall, nothing acknowledged is lost
seed 7
instance db1 az=c
at 0ms    write x=1            expect ok
at 10ms   crash az a
at 20ms   write y=2            expect ok
at 30ms   crash b1
at 40ms   write z=3            expect unavailable
at 40ms   read x as c2         expect 1
at 2s     restart az a
at 2s     restart b1
)";
  const harness::parse_result parsed = harness::parse_scenario(text, "az-plus-one.scn");
  ASSERT_TRUE(parsed.ok()) << parsed.error_text();
  harness::runner run(*parsed.value, {});
  const harness::run_result result = run.run();
  EXPECT_TRUE(result.passed());
  for (const std::string& each : result.unmet) ADD_FAILURE() << each;
  for (const check::violation& each : result.violations) ADD_FAILURE() << each.reason;
  if (result.final_check_failure) ADD_FAILURE() << *result.final_check_failure;
}

// DNS caching [UG]: after a failover, a client that keeps the cluster endpoint's old answer
// reaches the old writer (now a replica) and its writes are refused, until the TTL runs out
// (`dns=ttl`) or for ever (`dns=forever`); a topology-aware client (`via=smart`) and the proxy
// follow the new writer at once. An operation sent on a stale answer is recorded as going to
// that instance's endpoint.
TEST(clients, a_cached_dns_answer_keeps_a_client_on_the_old_writer_until_it_expires) {
  const char* text = R"(config replicas=1 dns_ttl=2s op_timeout=200ms
client c2 dns=forever
client c3 via=smart
client c4 via=proxy
at 0ms     write x=1 as c1   expect ok
at 0ms     write x=2 as c2   expect ok
at 0ms     write x=3 as c3   expect ok
at 0ms     write x=4 as c4   expect ok
at 100ms   failover to db2
at 200ms   write y=1 as c1   expect refused
at 200ms   write y=2 as c2   expect refused
at 200ms   write y=3 as c3   expect ok
at 200ms   write y=4 as c4   expect ok
at 2100ms  write z=1 as c1   expect ok
at 2100ms  write z=2 as c2   expect refused
)";
  harness::runner run(harness::parse_scenario_or_throw(text, "dns.scn"), {});
  const harness::run_result result = run.run();
  for (const std::string& each : result.unmet) ADD_FAILURE() << each;
  for (const check::violation& each : result.violations) ADD_FAILURE() << each.reason;
  EXPECT_TRUE(result.passed());
  const std::vector<check::operation>& ops = run.model().history().operations();
  EXPECT_EQ(ops[5].from, ops::endpoint::instance("db1")) << "sent on a stale answer";
  EXPECT_EQ(ops[6].from, ops::endpoint::cluster());
  EXPECT_GE(run.model().world().probes().count("a client used a stale DNS answer"), 3u);
}

// A replica answers a write with an error: `refused` (history `fail`), distinct from
// `unavailable`, and it never takes effect. Through the writer's own endpoint it commits.
TEST(runner, a_write_to_a_replica_is_refused_and_never_takes_effect) {
  const char* text = R"(config replicas=1
at 0ms    write x=1 to db2     expect refused
at 0ms    write y=1 to db1     expect ok
at 20ms   read x               expect none
at 20ms   read y from db2 as c2 expect 1
at 20ms   write x=2 to db2 as c3 expect unavailable
)";
  harness::runner run(harness::parse_scenario_or_throw(text, "refused.scn"), {});
  const harness::run_result result = run.run();
  EXPECT_TRUE(result.passed());
  for (const std::string& each : result.unmet) ADD_FAILURE() << each;
  const std::vector<check::operation>& ops = run.model().history().operations();
  EXPECT_EQ(ops[0].status, check::op_status::fail);
}

// As written, the example loses its writer with zone a (version 2: db1 lives in AZ a). There is
// no replica, so the control plane must recreate the writer (`recreate_time`, 5 min by default):
// y=2 gets no answer, and nothing acknowledged is lost.
TEST(runner, the_az_plus_one_example_as_written_loses_the_writer_with_its_az) {
  const char* text = R"(seed 7
at 0ms    write x=1            expect ok
at 10ms   crash az a
at 20ms   write y=2            expect ok
at 30ms   crash b1
at 40ms   write z=3            expect unavailable
at 40ms   read x as c2         expect 1
at 2s     restart az a
at 2s     restart b1
)";
  harness::runner run(harness::parse_scenario_or_throw(text, "az-plus-one.scn"), {});
  const harness::run_result result = run.run();
  ASSERT_EQ(result.unmet.size(), 2u);
  EXPECT_NE(result.unmet[0].find("y=2"), std::string::npos) << result.unmet[0];
  EXPECT_NE(result.unmet[1].find("read x"), std::string::npos) << result.unmet[1];
  EXPECT_TRUE(result.violations.empty());
  EXPECT_FALSE(result.final_check_failure);
}

}  // namespace
}  // namespace aurora::db
