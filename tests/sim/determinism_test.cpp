// Determinism: the same seed and the same operations give byte-identical traces; another seed
// gives other bytes; every DOT file renders with Graphviz without a warning.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "aurora/ops/deployment.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/jsonl_writer.hpp"

namespace aurora {
namespace {

struct traces {
  std::string jsonl;
  std::string dot;
};

// A seeded random workload with faults, drawn from the run's own PRNG stream.
traces run_workload(std::uint64_t seed) {
  ops::setup config;
  config.seed = seed;
  config.trace = true;
  config.replicas = 1;
  ops::simulation model(config);
  sim::random choices(seed ^ 0x5eed);
  const char* keys[] = {"x", "y", "z"};
  const char* clients[] = {"c1", "c2"};
  for (int round = 0; round < 20; ++round) {
    const auto at = sim::ms(round * 2);
    model.run_until(at);
    const char* key = keys[choices.below(3)];
    if (choices.percent(60)) {
      model.write(clients[choices.below(2)], {{key, choices.uniform(1, 99)}});
    } else {
      model.read(clients[choices.below(2)], key);
    }
    if (round == 5) model.apply(sim::crash{{"b", true}});
    if (round == 8) model.apply(sim::message_loss{20});
    if (round == 12) model.apply(sim::restart{{"b", true}});
    if (round == 13) model.apply(sim::message_loss{0});
  }
  model.run_until(sim::ms(100));
  std::ostringstream jsonl, dot;
  trace::write_jsonl(model.trace(), jsonl);
  trace::write_dot(model.trace(), dot,
                   {.title = "determinism",
                    .step_from = -1,
                    .step_to = -1,
                    .time_from = sim::ms(0),
                    .time_to = sim::ms(12)});
  return {jsonl.str(), dot.str()};
}

TEST(determinism, the_same_seed_gives_byte_identical_jsonl_and_dot) {
  const traces first = run_workload(42);
  const traces second = run_workload(42);
  EXPECT_GT(first.jsonl.size(), 10'000U);
  EXPECT_EQ(first.jsonl, second.jsonl);
  EXPECT_EQ(first.dot, second.dot);
}

TEST(determinism, another_seed_gives_other_bytes) {
  const traces first = run_workload(42);
  const traces other = run_workload(43);
  EXPECT_NE(first.jsonl, other.jsonl);
  EXPECT_NE(first.dot, other.dot);
}

TEST(determinism, every_dot_file_renders_without_warnings) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "Graphviz dot is not installed (scripts/setup.sh installs it)";
  }
  const std::string base = ::testing::TempDir() + "aurora_determinism";
  std::ofstream(base + ".dot") << run_workload(7).dot;
  const std::string command = "dot -Tsvg " + base + ".dot -o " + base + ".svg 2> " + base + ".err";
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream errors(base + ".err");
  const std::string warnings((std::istreambuf_iterator<char>(errors)), {});
  EXPECT_EQ(warnings, "");
}

}  // namespace
}  // namespace aurora
