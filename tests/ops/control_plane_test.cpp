// The control plane's decisions (ops/control_plane.hpp): which instance a failover promotes, what
// it restarts and reports, what it does when no other instance is up, and the membership change
// that a destroyed disk starts. End-to-end failovers under faults are in tests/db/db_test.cpp.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "aurora/db/protocol_facts.hpp"
#include "aurora/ops/control_plane.hpp"
#include "aurora/ops/deployment.hpp"

namespace aurora::ops {
namespace {

// Keeps the failovers a cluster reports (the checkers' fact log does this in a run).
struct failover_log final : db::cluster_observer {
  void report(const db::facts::stamped& what) override {
    if (const auto* each = std::get_if<db::facts::failover>(&what.what)) failovers.push_back(*each);
  }
  std::vector<db::facts::failover> failovers;
};

setup with_replicas(int replicas) {
  setup config;
  config.replicas = replicas;
  config.trace = true;
  return config;
}

int count_events(const simulation& model, std::string_view kind) {
  int count = 0;
  for (const trace::event& each : model.world().trace().events()) count += each.kind == kind;
  return count;
}

TEST(control_plane, a_failover_without_a_target_promotes_the_first_other_live_instance) {
  simulation model(with_replicas(2));
  model.apply(sim::crash{{"db2", false}});
  EXPECT_EQ(model.failover_target(failover{}), std::optional<std::string>("db3"));
  model.apply(action{failover{}});
  EXPECT_EQ(model.main().control().writer, "db3");
}

// Promotion order [UG]: the lowest tier, then the largest size, then the lowest number.
TEST(control_plane, a_failover_promotes_by_tier_then_size_then_number) {
  setup config = with_replicas(4);
  config.instances = {{}, {0, 1, 1}, {0, 0, 8}, {0, 0, 8}, {0, 0, 2}};  // db2 tier 1, db3..5 tier 0
  simulation model(config);
  EXPECT_EQ(model.failover_target(failover{}), std::optional<std::string>("db3"));
  model.apply(sim::crash{{"db3", false}});
  EXPECT_EQ(model.failover_target(failover{}), std::optional<std::string>("db4"));
  model.apply(sim::crash{{"db4", false}});
  EXPECT_EQ(model.failover_target(failover{}), std::optional<std::string>("db5"));
  model.apply(sim::crash{{"db5", false}});
  EXPECT_EQ(model.failover_target(failover{}), std::optional<std::string>("db2"));
}

// Automatic failover: a writer down for `detection` is failed over to the first replica in
// promotion order; one that comes back in time is not.
TEST(control_plane, detects_a_lost_writer_and_promotes_a_replica) {
  setup config = with_replicas(2);
  config.instances = {{}, {}, {0, 0, 1}};  // db3 in tier 0
  config.failover.detection = sim::ms(500);
  simulation model(config);
  model.run_until(sim::ms(5));
  model.apply(sim::crash{{"db1", false}});
  model.run_until(sim::ms(400));
  model.apply(sim::restart{{"db1", false}});  // back in time: no failover
  model.run_until(sim::ms(1'000));
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_EQ(model.world().probes().count("the control plane detected a lost writer"), 0u);
  model.apply(sim::crash{{"a", true}});  // db1 lives in AZ a
  model.run_until(sim::ms(1'499));
  EXPECT_EQ(model.main().control().writer, "db1");
  model.run_until(sim::ms(1'600));
  EXPECT_EQ(model.main().control().writer, "db3");
  EXPECT_EQ(count_events(model, trace::kind::control_plane), 1);
  model.run_until(sim::ms(1'700));
  EXPECT_EQ(model.main().writer().role(), db::instance_role::writer);
}

// With `manual`, a lost writer stays lost until a step fails it over.
TEST(control_plane, manual_policy_never_fails_over_by_itself) {
  setup config = with_replicas(1);
  config.failover = {failover_policy::manual, sim::ms(10), sim::ms(10)};
  simulation model(config);
  model.apply(sim::crash{{"db1", false}});
  model.run_until(sim::s(2));
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_FALSE(model.network().alive(model.writer().id()));
}

// With no replica up, the control plane recreates the writer after `recreate`; it recovers.
TEST(control_plane, recreates_the_writer_when_no_replica_is_up) {
  setup config = with_replicas(1);
  config.failover.detection = sim::ms(100);
  config.failover.recreate = sim::s(3);
  simulation model(config);
  model.run_until(sim::ms(5));
  model.apply(sim::crash{{"db2", false}});
  model.apply(sim::crash{{"db1", false}});
  model.run_until(sim::ms(3'000));
  EXPECT_FALSE(model.network().alive(model.writer().id()));
  model.run_until(sim::ms(3'200));
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_EQ(model.writer().role(), db::instance_role::writer);
  EXPECT_EQ(model.world().probes().count("the control plane recreated a writer"), 1u);
}

TEST(control_plane, a_failover_restarts_the_old_writer_and_the_target_and_reports_it) {
  failover_log log;
  simulation model(with_replicas(1), &log);
  model.run_until(sim::ms(5));
  model.apply(action{failover{"db2"}});
  EXPECT_EQ(model.main().control().writer, "db2");
  EXPECT_EQ(count_events(model, trace::kind::reboot), 2);
  ASSERT_EQ(log.failovers.size(), 1u);
  EXPECT_EQ(log.failovers[0].old_writer, 1);
  EXPECT_EQ(log.failovers[0].target, 2);
  EXPECT_TRUE(log.failovers[0].old_reachable);
  EXPECT_EQ(model.world().probes().count("failover"), 1u);
}

TEST(control_plane, a_failover_to_the_writer_itself_restarts_only_the_writer) {
  failover_log log;
  simulation model(with_replicas(1), &log);
  model.apply(action{failover{"db1"}});
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_EQ(count_events(model, trace::kind::reboot), 1);
  ASSERT_EQ(log.failovers.size(), 1u);
  EXPECT_FALSE(log.failovers[0].old_reachable);
}

TEST(control_plane, a_failover_with_no_other_instance_up_changes_nothing_and_says_why) {
  failover_log log;
  simulation model(with_replicas(0), &log);
  EXPECT_EQ(model.failover_target(failover{}), std::nullopt);
  model.apply(action{failover{}});
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_EQ(count_events(model, trace::kind::failover_impossible), 1);
  EXPECT_EQ(count_events(model, trace::kind::reboot), 0);
  EXPECT_TRUE(log.failovers.empty());
}

TEST(control_plane, a_failover_to_an_unknown_instance_is_a_usage_error) {
  simulation model(with_replicas(1));
  EXPECT_THROW(model.failover(std::string("db9")), usage_error);
  EXPECT_EQ(model.main().control().writer, "db1");
}

TEST(control_plane, a_destroyed_disk_moves_membership_to_quorum_sets_until_the_node_returns) {
  simulation model(with_replicas(0));
  model.run_until(sim::ms(5));
  model.apply(sim::destroy{"a1"});
  EXPECT_TRUE(model.main().replacing_a_segment());
  const sim::participant_id a1 = model.network().find("a1");
  EXPECT_FALSE(model.network().alive(a1));
  model.run_until(model.now() + model.main().config().repair_delay + sim::us(1));
  EXPECT_TRUE(model.network().alive(a1)) << "the new disk is in place after the repair delay";
}

TEST(control_plane, a_destroyed_node_that_hosts_none_of_a_volume_changes_no_membership) {
  simulation model(with_replicas(0));
  control_plane plane(model.world());
  EXPECT_FALSE(model.main().replacing_a_segment());
  // A participant that is not a storage node hosts no segment of main's volume.
  plane.replace_disk(model.main(), model.network().find("db1"));
  EXPECT_FALSE(model.main().replacing_a_segment());
}

}  // namespace
}  // namespace aurora::ops
