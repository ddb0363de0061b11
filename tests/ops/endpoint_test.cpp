// Endpoints as values (ops/endpoint.hpp): their text in the trace and in the scenario language,
// and where the deployment sends a read through each (ops/deployment.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aurora/ops/deployment.hpp"
#include "aurora/ops/endpoint.hpp"

namespace aurora::ops {
namespace {

TEST(endpoint, prints_as_the_traces_endpoint_field) {
  EXPECT_EQ(to_string(endpoint{}), "cluster");
  EXPECT_EQ(to_string(endpoint::cluster()), "cluster");
  EXPECT_EQ(to_string(endpoint::reader()), "reader");
  EXPECT_EQ(to_string(endpoint::instance("db2")), "db2");
  EXPECT_EQ(to_string(endpoint::instance("db1-green")), "db1-green");
}

TEST(endpoint, parses_the_forms_a_scenario_and_the_deployment_use) {
  struct row {
    std::string text;
    endpoint_kind kind;
  };
  const std::vector<row> table{{"", endpoint_kind::cluster},
                               {"cluster", endpoint_kind::cluster},
                               {"reader", endpoint_kind::reader},
                               {"db2", endpoint_kind::instance},
                               {"pitr1-db1", endpoint_kind::instance}};
  for (const row& each : table) {
    const endpoint parsed = endpoint::parse(each.text);
    EXPECT_EQ(parsed.kind(), each.kind) << each.text;
    EXPECT_EQ(endpoint::parse(to_string(parsed)), parsed) << "round trip of '" << each.text << "'";
  }
  EXPECT_EQ(endpoint::parse("db2").instance_name(), "db2");
}

TEST(endpoint, the_two_words_and_the_empty_name_cannot_name_an_instance) {
  EXPECT_THROW((void)endpoint::instance(""), usage_error);
  EXPECT_THROW((void)endpoint::instance("reader"), usage_error);
  EXPECT_THROW((void)endpoint::instance("cluster"), usage_error);
}

TEST(endpoint, values_compare_by_kind_and_instance) {
  EXPECT_EQ(endpoint::instance("db2"), endpoint::instance("db2"));
  EXPECT_NE(endpoint::instance("db2"), endpoint::instance("db3"));
  EXPECT_NE(endpoint::reader(), endpoint::cluster());
  EXPECT_LT(endpoint::cluster(), endpoint::reader());
}

// Where each endpoint's reads went, as the history (and the trace's `endpoint` field) says.
TEST(endpoint, a_read_goes_to_the_writer_the_replicas_in_turn_or_the_named_instance) {
  setup config;
  config.replicas = 2;
  config.trace = true;
  simulation model(config);
  model.write("c1", {{"x", 1}});
  model.run_until(sim::ms(20));
  model.read("c2", "x");
  model.read("c3", "x", endpoint::reader());
  model.read("c4", "x", "reader");
  model.read("c5", "x", "db3");
  model.run_until(sim::ms(60));
  const std::vector<operation>& ops = model.history().operations();
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_TRUE(ops[0].from.is_cluster()) << "a write goes through the cluster endpoint";
  EXPECT_TRUE(ops[1].from.is_cluster());
  EXPECT_TRUE(ops[2].from.is_reader());
  EXPECT_TRUE(ops[3].from.is_reader());
  EXPECT_EQ(ops[4].from, endpoint::instance("db3"));
  for (std::size_t index = 1; index < ops.size(); ++index) {
    EXPECT_EQ(ops[index].status, op_status::ok) << index;
    EXPECT_EQ(ops[index].value, 1) << index;
  }
  std::vector<std::string> written;
  for (const trace::event& each : model.world().trace().events()) {
    if (each.kind != "invoke") continue;
    for (const trace::field& field : each.fields) {
      if (field.key == "endpoint") written.push_back(std::get<std::string>(field.value));
    }
  }
  EXPECT_EQ(written, (std::vector<std::string>{"cluster", "cluster", "reader", "reader", "db3"}));
  // The reader endpoint takes the replicas in turn.
  std::vector<std::string> reached;
  for (const std::string client : {"client-c2", "client-c3", "client-c4", "client-c5"}) {
    for (const trace::event& each : model.world().trace().events()) {
      if (each.kind == "send" && each.lane == client) {
        reached.push_back(each.peer);
        break;
      }
    }
  }
  EXPECT_EQ(reached, (std::vector<std::string>{"db1", "db2", "db3", "db3"}));
}

TEST(endpoint, a_read_from_an_unknown_instance_is_a_usage_error_that_names_it) {
  simulation model(setup{});
  try {
    model.read("c1", "x", "db7");
    FAIL() << "expected a usage_error";
  } catch (const usage_error& error) {
    EXPECT_NE(std::string(error.what()).find("'db7'"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(model.history().operations().empty()) << "nothing was started";
}

}  // namespace
}  // namespace aurora::ops
