// The fault properties of the storage model, and the tests that prove they can fail.
//
// - safe faults: any sequence of client operations and faults that stays inside AZ+1 (at most 3
//   segments of a PG lost at a time, disks repaired before more loss) keeps every invariant
//   (check/invariants.hpp) after every step and passes the final check;
// - beyond the model: crashes, AZ outages and partitions of any size (but no destroyed disks)
//   may stall the model, but never lose an acknowledged write;
// - tests that must fail: each unsafe teaching variant is caught within a bounded number of
//   cases, shrunk to at most 12 steps, and its printed scenario replays to the same failure.
// On a failure the test prints the seed and the shrunk scenario, and writes its traces.
// RC_PARAMS (e.g. RC_PARAMS="max_success=2000 seed=7") raises the case counts.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <fstream>
#include <iostream>

#include "aurora/harness/scenario_parser.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "fault_commands.hpp"

namespace aurora::properties {
namespace {

struct outcome {
  bool failed = false;
  int cases = 0;
};

rc::detail::TestParams params_with(int cases) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (std::getenv("RC_PARAMS") == nullptr) {  // CI is deterministic; RC_PARAMS explores
    params.maxSuccess = cases;
    params.seed = 20261124;
  }
  params.maxSize = 50;
  return params;
}

outcome check_property(db::teaching_variant variant, harness::fault_profile profile, int cases,
                       volume_shape shape = {}) {
  last_failure() = {};
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(db::to_string(variant));
  const auto result = rc::detail::checkTestable(fault_property(variant, profile, shape), metadata,
                                                params_with(cases));
  rc::detail::FailureResult failure;
  if (result.match(failure)) return {true, failure.numSuccess};
  rc::detail::SuccessResult success;
  if (result.match(success)) return {false, success.numSuccess};
  ADD_FAILURE() << "rapidcheck gave up or erred";
  return {false, 0};
}

// Replays a scenario with tracing on; writes its JSON Lines and DOT next to the test.
harness::run_result replay(const std::string& text, const std::string& name) {
  const harness::parse_result parsed = harness::parse_scenario(text, name + ".scn");
  EXPECT_TRUE(parsed.ok()) << parsed.error_text() << text;
  if (!parsed.ok()) return {};
  harness::run_options options;
  options.trace = true;
  harness::runner run(*parsed.value, options);
  harness::run_result result = run.run();
  std::ofstream(name + ".scn") << text;
  std::ofstream jsonl(name + ".jsonl");
  trace::write_jsonl(run.model().trace(), jsonl);
  std::ofstream dot(name + ".dot");
  trace::dot_options drawing;
  drawing.title = name;
  trace::write_dot(run.model().trace(), dot, drawing);
  std::cout << "  scenario and traces: " << name << ".scn, .jsonl, .dot\n";
  return result;
}

void report_failure(const std::string& name) {
  std::cout << "counterexample (" << last_failure().steps << " steps): " << last_failure().reason
            << "\n--- " << name << ".scn ---\n"
            << last_failure().scenario_text << "---\n"
            << "reproduce: aurora-harness run " << name << ".scn\n";
}

TEST(fault_properties, safe_faults_keep_every_invariant) {
  const outcome result = check_property(db::teaching_variant::safe, harness::fault_profile::safe, 20'000);
  if (result.failed) {
    report_failure("safe-failure");
    replay(last_failure().scenario_text, "safe-failure");
  }
  EXPECT_FALSE(result.failed);
  // The runs must have reached the rare paths, or passing proves little.
  for (const char* path : {"gossip filled a gap", "hedged read", "truncation removed records",
                           "resend to a stalled segment", "replacement segment hydrated",
                           "segment hydrated from a base image", "failover",
                           "storage refused a stale epoch", "writer deposed by a newer epoch"}) {
    EXPECT_GT(probes_reached().count(path), 0U) << "never reached: " << path;
  }
}

// Two PGs on 3 nodes per AZ: a transaction can span PGs (VDL below VCL at MTR boundaries), and
// a PG can be idle while the volume's read point moves on.
TEST(fault_properties, safe_faults_keep_every_invariant_with_two_protection_groups) {
  const outcome result = check_property(db::teaching_variant::safe, harness::fault_profile::safe,
                                        5'000, {.protection_groups = 2, .nodes_per_az = 3});
  if (result.failed) {
    report_failure("two-pg-failure");
    replay(last_failure().scenario_text, "two-pg-failure");
  }
  EXPECT_FALSE(result.failed);
}

TEST(fault_properties, beyond_the_model_stalls_but_loses_nothing) {
  const outcome result =
      check_property(db::teaching_variant::safe, harness::fault_profile::beyond, 10'000);
  if (result.failed) {
    report_failure("beyond-failure");
    replay(last_failure().scenario_text, "beyond-failure");
  }
  EXPECT_FALSE(result.failed);
}

class unsafe_variant : public ::testing::TestWithParam<db::teaching_variant> {};

TEST_P(unsafe_variant, is_caught_and_shrunk_to_a_small_scenario) {
  const db::teaching_variant variant = GetParam();
  const outcome result = check_property(variant, harness::fault_profile::safe, 2'000);
  ASSERT_TRUE(result.failed) << to_string(variant) << " survived " << result.cases << " cases";
  const std::string name = "must-fail-" + std::string(to_string(variant));
  report_failure(name);
  EXPECT_LE(last_failure().steps, 12);
  const failure_record shrunk = last_failure();
  const harness::run_result replayed = replay(shrunk.scenario_text, name);
  EXPECT_FALSE(replayed.passed()) << "the printed scenario does not reproduce the failure";
  bool same = shrunk.invariant == "final check" && replayed.final_check_failure.has_value();
  for (const check::violation& each : replayed.violations) same |= each.invariant == shrunk.invariant;
  EXPECT_TRUE(same) << "the replay fails, but not with " << shrunk.invariant;
  // The rule the variant switches off is the cause: the same steps on the safe model pass.
  harness::parse_result parsed = harness::parse_scenario(shrunk.scenario_text, name + ".scn");
  ASSERT_TRUE(parsed.ok());
  parsed.value->settings.variant = db::teaching_variant::safe;
  EXPECT_TRUE(harness::runner(*parsed.value, {}).run().passed())
      << "the counterexample fails on the safe model too";
}

INSTANTIATE_TEST_SUITE_P(
    teaching_variants, unsafe_variant,
    ::testing::Values(db::teaching_variant::write_quorum_3, db::teaching_variant::read_quorum_2,
                      db::teaching_variant::ack_before_vdl, db::teaching_variant::no_truncation,
                      db::teaching_variant::no_epoch_fencing,
                      db::teaching_variant::read_below_scl),
    [](const auto& info) {
      std::string name(db::to_string(info.param));
      for (char& each : name) {
        if (each == '-') each = '_';
      }
      return name;
    });

}  // namespace
}  // namespace aurora::properties
