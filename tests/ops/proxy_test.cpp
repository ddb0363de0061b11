// The connection proxy (ops/proxy.hpp), long-running transactions (`write ... hold`), and the
// control plane's timings seen by clients (`promotion_time`, `dns_propagation`), each through a
// scenario as a user writes it: what the client is told, and when.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_parser.hpp"

namespace aurora::ops {
namespace {

struct finished_run {
  harness::run_result result;
  std::vector<operation> operations;
  std::uint64_t probe(std::string_view name) const { return probes.count(name); }
  sim::probes probes;
};

// Runs a scenario; every expectation in it must be met and every invariant hold.
finished_run run_scenario(const char* text) {
  harness::runner run(harness::parse_scenario_or_throw(text, "test.scn"), {});
  finished_run done{run.run(), {}, {}};
  for (const std::string& each : done.result.unmet) ADD_FAILURE() << each;
  for (const check::violation& each : done.result.violations) ADD_FAILURE() << each.reason;
  if (done.result.final_check_failure) ADD_FAILURE() << *done.result.final_check_failure;
  done.operations = run.model().history().operations();
  done.probes = run.model().world().probes();
  return done;
}

// The proxy queues a request while no writer is up and sends it to the new writer once it is
// open: the proxy client's write waits through the failover and succeeds, where a DNS client's
// write to the lost writer gets no answer.
TEST(proxy, queues_a_request_while_no_writer_is_up_and_sends_it_to_the_new_writer) {
  const finished_run done = run_scenario(R"(config replicas=1 detection_time=1s op_timeout=3s
client c1 via=proxy
at 0ms     write x=1                 expect ok
at 100ms   crash db1
at 200ms   write x=2                 expect ok
at 200ms   write y=1 as c2           expect unavailable
at 4s      read x                    expect 2
)");
  EXPECT_GE(done.probe("the proxy queued a request while no writer was up"), 1u);
  const operation& queued = done.operations[1];
  EXPECT_GE(queued.completed, sim::time_point(sim::ms(1100))) << "not before the failover";
  EXPECT_LT(queued.completed, sim::time_point(sim::ms(1400))) << "soon after the new writer opens";
}

// A transaction in flight when its writer is lost is cancelled by the proxy at its next health
// check: the client hears at once that the outcome is unknown (`info`), instead of waiting for
// its own timeout.
TEST(proxy, cancels_a_transaction_in_flight_when_its_writer_is_lost) {
  const finished_run done = run_scenario(R"(config replicas=1 op_timeout=5s
client c1 via=proxy
at 0ms     write x=1 hold 1s         expect unavailable
at 500ms   crash db1
at 30s     read x                    expect none
)");
  EXPECT_GE(done.probe("the proxy cancelled a request in flight"), 1u);
  const operation& cancelled = done.operations[0];
  EXPECT_EQ(cancelled.status, op_status::info);
  EXPECT_TRUE(cancelled.answered) << "the proxy answered";
  EXPECT_LT(cancelled.completed, sim::time_point(sim::ms(700)));
}

// A request that waits longer than the borrow timeout is refused: it never left the proxy.
TEST(proxy, refuses_a_request_that_waited_longer_than_the_borrow_timeout) {
  const finished_run done =
      run_scenario(R"(config replicas=1 failover=manual op_timeout=3s proxy_borrow_timeout=500ms
client c1 via=proxy
at 0ms     crash db1
at 100ms   write x=1                 expect refused
at 5s      failover
at 6s      read x                    expect none
)");
  EXPECT_GE(done.operations[0].completed, sim::time_point(sim::ms(600)));
  EXPECT_LT(done.operations[0].completed, sim::time_point(sim::ms(800)));
}

// The proxy has a node in each AZ: with AZ a down (its proxy node and the writer with it), the
// client reaches the node in b, which waits for the failover.
TEST(proxy, a_client_reaches_another_proxy_node_when_its_az_is_down) {
  const finished_run done = run_scenario(R"(config replicas=1 detection_time=1s op_timeout=3s
client c1 via=proxy
at 0ms     write x=1                 expect ok
at 100ms   crash az a
at 200ms   write x=2                 expect ok
at 3s      restart az a
)");
  (void)done;
}

// An AZ outage is a state: a proxy node made while its AZ is down (here on first use, after
// `crash az a`) starts down too, so the client reaches the node in b.
TEST(proxy, a_proxy_node_made_while_its_az_is_down_starts_down) {
  const harness::scenario plan =
      harness::parse_scenario_or_throw(R"(config replicas=1 detection_time=1s op_timeout=3s
client c1 via=proxy
at 0ms     crash az a
at 100ms   write x=1                 expect ok
)",
                                       "test.scn");
  harness::runner run(plan, {});
  run.perform_now(0, plan.steps[0]);
  run.perform_now(1, plan.steps[1]);
  const sim::network<db::message>& net = run.model().network();
  EXPECT_FALSE(net.alive(net.find("proxy-a"))) << "made in AZ a while it is down";
  EXPECT_TRUE(net.alive(net.find("proxy-b")));
  const harness::run_result result = run.finish();
  EXPECT_TRUE(result.passed());
  for (const std::string& each : result.unmet) ADD_FAILURE() << each;
}

// `write ... hold`: the transaction commits only after the hold; a read meanwhile does not see
// it, and op_timeout counts from the commit request, not from the start.
TEST(hold, a_held_transaction_commits_after_its_hold_and_op_timeout_counts_from_then) {
  const finished_run done = run_scenario(R"(config op_timeout=100ms
at 0ms     write x=1 hold 500ms      expect ok
at 200ms   read x as c2              expect none
at 700ms   read x as c2              expect 1
)");
  EXPECT_GE(done.operations[0].completed, sim::time_point(sim::ms(500)));
}

// A held transaction whose writer restarts (here: the old writer of a failover) is lost with
// it: the client hears nothing, and the transaction never takes effect.
TEST(hold, a_held_transaction_dies_with_its_writer) {
  run_scenario(R"(config replicas=1
client c1 via=smart
at 0ms     write x=1 hold 1s         expect unavailable
at 500ms   failover to db2
at 3s      read x                    expect none
)");
}

// promotion_time: the promoted instance is down that long before it recovers the volume.
TEST(control_plane_timing, the_promoted_instance_is_back_after_promotion_time) {
  run_scenario(R"(config replicas=1 promotion_time=2s
client c1 via=smart
at 0ms     write x=1                 expect ok
at 100ms   failover to db2
at 200ms   write x=2                 expect unavailable
at 2500ms  write x=3                 expect ok
)");
}

// A crash during the promoted instance's downtime (here: its AZ) keeps it down: it comes back
// with its AZ, not at the end of promotion_time.
TEST(control_plane_timing, an_az_crash_during_promotion_keeps_the_target_down) {
  run_scenario(R"(config replicas=1 promotion_time=200ms
client c1 via=smart
at 0ms     write x=1                 expect ok
at 10ms    failover to db2
at 50ms    crash az b
at 300ms   write x=2                 expect unavailable
at 2s      restart az b
at 2500ms  write x=3                 expect ok
)");
}

// dns_propagation: a lookup after a failover still gets the old writer until the change has
// propagated; the operation is recorded as going to that instance.
TEST(control_plane_timing, dns_answers_the_old_writer_until_the_change_propagates) {
  const finished_run done = run_scenario(R"(config replicas=1 dns_ttl=1s dns_propagation=3s
at 0ms     write x=1                 expect ok
at 100ms   failover to db2
at 2s      write x=2                 expect refused
at 3500ms  write x=3                 expect ok
)");
  EXPECT_EQ(done.operations[1].from, endpoint::instance("db1"));
  EXPECT_EQ(done.operations[2].from, endpoint::cluster());
}

}  // namespace
}  // namespace aurora::ops
