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
  EXPECT_TRUE(log.failovers[0].old_restarted);
  EXPECT_EQ(model.world().probes().count("failover"), 1u);
}

TEST(control_plane, a_failover_to_the_writer_itself_restarts_only_the_writer) {
  failover_log log;
  simulation model(with_replicas(1), &log);
  model.apply(action{failover{"db1"}});
  EXPECT_EQ(model.main().control().writer, "db1");
  EXPECT_EQ(count_events(model, trace::kind::reboot), 1);
  ASSERT_EQ(log.failovers.size(), 1u);
  EXPECT_FALSE(log.failovers[0].old_restarted);
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
