// Unit tests of the black-box history checker (check/linearizability.hpp) on hand-built client
// histories: ones that must pass (concurrent writes in either order, `info` writes that did or
// did not happen, reads concurrent with a write), ones that must fail with an exact invariant
// (a stale read after a newer acknowledged write, a value never written, a replica read of a
// write that never happened, replica reads going backwards), the step budget giving up, and
// reasons that are the same on every run.
#include "aurora/check/linearizability.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using aurora::check::check_linearizability;
using aurora::check::endpoint;
using aurora::check::history_violation;
using aurora::check::linearizability_options;
using aurora::check::linearizability_result;
using aurora::check::op_kind;
using aurora::check::op_status;
using aurora::check::operation;
namespace sim = aurora::sim;
namespace storage = aurora::storage;

constexpr std::optional<std::int64_t> none = std::nullopt;

// A client history written by hand; times in milliseconds.
class history_builder {
 public:
  using puts = std::vector<std::pair<std::string, std::int64_t>>;

  void write(const std::string& process, const puts& values, std::int64_t invoked,
             std::optional<std::int64_t> completed, op_status status = op_status::ok) {
    operation op = start(process, invoked);
    op.kind = op_kind::write;
    for (const auto& [key, value] : values) op.puts.emplace_back(keys_.intern(key), value);
    finish(op, completed, status);
  }
  void info_write(const std::string& process, const puts& values, std::int64_t invoked) {
    write(process, values, invoked, std::nullopt, op_status::info);
  }
  void read(const std::string& process, const std::string& key, std::optional<std::int64_t> value,
            std::int64_t invoked, std::int64_t completed, const std::string& from = "") {
    operation op = start(process, invoked);
    op.kind = op_kind::read;
    op.key = keys_.intern(key);
    op.from = endpoint::parse(from);
    op.value = value;
    finish(op, completed, op_status::ok);
  }
  void failed_read(const std::string& process, const std::string& key, std::int64_t invoked,
                   std::int64_t completed) {
    operation op = start(process, invoked);
    op.kind = op_kind::read;
    op.key = keys_.intern(key);
    finish(op, completed, op_status::fail);
  }

  [[nodiscard]] linearizability_result check(linearizability_options options = {}) const {
    return check_linearizability(ops_, keys_, options);
  }
  std::vector<operation>& ops() { return ops_; }

 private:
  operation start(const std::string& process, std::int64_t invoked) {
    operation op;
    op.id = ops_.size();
    op.process = process;
    op.invoked = sim::ms(invoked);
    op.step = static_cast<int>(ops_.size());
    return op;
  }
  void finish(operation& op, std::optional<std::int64_t> completed, op_status status) {
    op.status = status;
    if (completed) op.completed = sim::ms(*completed);
    ops_.push_back(op);
  }

  storage::placement where_{storage::volume_shape{}};
  storage::key_table keys_{where_};
  std::vector<operation> ops_;
};

std::string invariants(const linearizability_result& result) {
  std::string text;
  for (const history_violation& each : result.violations) text += each.invariant + ";";
  return text;
}

std::string reasons(const linearizability_result& result) {
  std::string text;
  for (const history_violation& each : result.violations) text += each.reason + "\n";
  return text;
}

void expect_passes(const history_builder& history) {
  const linearizability_result result = history.check();
  EXPECT_TRUE(result.violations.empty()) << reasons(result);
  EXPECT_EQ(result.keys_unchecked, 0);
}

// --- histories that are linearizable -----------------------------------------------------------

TEST(linearizability, empty_history_and_reads_of_none_pass) {
  history_builder history;
  EXPECT_TRUE(history.check().violations.empty());
  history.read("c1", "x", none, 0, 1);
  history.read("c2", "x", none, 5, 6, "db2");
  expect_passes(history);
}

TEST(linearizability, concurrent_writes_take_effect_in_either_order) {
  for (const std::int64_t seen : {1, 2}) {
    history_builder history;
    history.write("c1", {{"x", 1}}, 0, 10);
    history.write("c2", {{"x", 2}}, 5, 15);
    history.read("c3", "x", seen, 20, 21);
    history.read("c3", "x", seen, 30, 31);
    SCOPED_TRACE(seen);
    expect_passes(history);
  }
}

TEST(linearizability, an_info_write_may_or_may_not_have_happened) {
  for (const std::int64_t seen : {1, 5}) {
    history_builder history;
    history.write("c1", {{"x", 1}}, 0, 2);
    history.info_write("c2", {{"x", 5}}, 10);
    history.read("c3", "x", seen, 20, 21);
    history.read("c3", "x", seen, 30, 31);
    SCOPED_TRACE(seen);
    expect_passes(history);
  }
}

TEST(linearizability, an_info_write_may_take_effect_long_after_its_invocation) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.info_write("c2", {{"x", 5}}, 10);
  history.read("c3", "x", 1, 20, 21);    // not yet
  history.read("c3", "x", 5, 500, 501);  // now it has
  expect_passes(history);
}

TEST(linearizability, a_read_concurrent_with_a_write_sees_the_old_or_the_new_value) {
  for (const std::optional<std::int64_t> seen :
       {std::optional<std::int64_t>(1), std::optional<std::int64_t>(2)}) {
    history_builder history;
    history.write("c1", {{"x", 1}}, 0, 2);
    history.write("c2", {{"x", 2}}, 10, 20);
    history.read("c3", "x", seen, 12, 14);
    SCOPED_TRACE(*seen);
    expect_passes(history);
  }
  history_builder first;  // a read concurrent with the very first write may see none
  first.write("c1", {{"x", 1}}, 0, 10);
  first.read("c2", "x", none, 2, 4);
  first.read("c2", "x", 1, 5, 6);
  expect_passes(first);
}

TEST(linearizability, unanswered_writes_of_one_value_can_each_be_read_once) {
  history_builder history;  // two unanswered writes of 5 explain two reads of 5 around a 1
  history.info_write("c1", {{"x", 5}}, 0);
  history.info_write("c2", {{"x", 5}}, 1);
  history.read("c3", "x", 5, 10, 11);
  history.write("c3", {{"x", 1}}, 12, 13);
  history.read("c3", "x", 5, 20, 21);
  expect_passes(history);
  history.write("c3", {{"x", 1}}, 22, 23);
  history.read("c3", "x", 5, 30, 31);  // a third read of 5 after another 1: none is left
  EXPECT_EQ(invariants(history.check()), "linearizable;");
}

TEST(linearizability, an_unanswered_write_is_kept_for_when_it_is_needed) {
  history_builder history;  // x is already 5 when the first read comes: the info write is
  history.write("c1", {{"x", 5}}, 0, 1);  // needed only after x=1
  history.info_write("c2", {{"x", 5}}, 2);
  history.read("c3", "x", 5, 3, 4);
  history.write("c3", {{"x", 1}}, 5, 6);
  history.read("c3", "x", 5, 7, 8);
  expect_passes(history);
}

TEST(linearizability, operations_touching_at_one_instant_may_take_effect_in_either_order) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 10);
  history.read("c2", "x", none, 10, 12);  // invoked exactly when the write completed
  expect_passes(history);
}

TEST(linearizability, a_transaction_is_projected_onto_every_key_it_writes) {
  history_builder history;
  history.write("c1", {{"x", 1}, {"y", 2}}, 0, 2);
  history.read("c2", "x", 1, 5, 6);
  history.read("c2", "y", 2, 7, 8);
  expect_passes(history);
  history.read("c3", "y", none, 9, 10);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "linearizable;");
  EXPECT_EQ(reasons(result),
            "read of y by c3 -> none at 10ms: no linearization of y's history allows it "
            "(write x=1 y=2 by c1 ok [0ms,2ms])\n");
}

TEST(linearizability, failed_and_unanswered_reads_are_dropped) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.failed_read("c2", "x", 5, 6);
  expect_passes(history);
}

TEST(linearizability, lagging_replica_reads_are_allowed_if_they_only_move_forward) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c1", {{"x", 5}}, 10, 12);
  history.read("c2", "x", none, 3, 4, "db2");
  history.read("c2", "x", 1, 13, 14, "db2");  // stale, but replicas may lag
  history.read("c2", "x", 1, 15, 16, "db2");
  history.read("c2", "x", 5, 20, 21, "db2");
  history.read("c3", "x", 1, 22, 23, "reader");  // another client, another replica
  expect_passes(history);
}

TEST(linearizability, a_replica_may_show_an_info_write_that_did_happen) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.info_write("c1", {{"x", 5}}, 10);
  history.read("c2", "x", 5, 20, 21, "db2");
  history.read("c3", "x", 5, 50, 51);
  expect_passes(history);
}

TEST(linearizability, duplicate_values_are_read_in_the_most_favourable_way) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c1", {{"x", 5}}, 10, 12);
  history.write("c3", {{"x", 1}}, 20, 22);
  history.read("c2", "x", 1, 5, 6, "db2");
  history.read("c2", "x", 5, 15, 16, "db2");
  history.read("c2", "x", 1, 25, 26, "db2");  // the second write of 1
  expect_passes(history);
}

TEST(linearizability, the_checker_never_reads_the_models_lsns) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.read("c2", "x", 1, 5, 6);
  for (operation& op : history.ops()) op.at = 12345;  // nonsense the model would never give
  expect_passes(history);
}

// --- histories that are not ---------------------------------------------------------------------

TEST(linearizability, a_stale_read_after_a_newer_acknowledged_write_fails) {
  // The duplicated request: a late copy of `write x=1` commits after `write x=2` was
  // acknowledged, so a later read returns 1. The LSN checkers see a valid, newest version.
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c2", {{"x", 2}}, 20, 22);
  history.read("c1", "x", 2, 100, 101);
  history.read("c3", "x", 1, 299, 300);
  history.read("c2", "y", none, 310, 311);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "linearizable;");
  EXPECT_EQ(reasons(result),
            "read of x by c3 -> 1 at 300ms: no linearization of x's history allows it "
            "(write x=1 by c1 ok [0ms,2ms], write x=2 by c2 ok [20ms,22ms])\n");
  EXPECT_EQ(result.violations.front().at, sim::ms(300));
  EXPECT_EQ(result.violations.front().step, 3);
  EXPECT_EQ(result.keys_checked, 2);
}

TEST(linearizability, the_explanation_keeps_only_the_operations_that_matter) {
  history_builder history;
  for (int round = 0; round < 20; ++round) {  // a long healthy history of another key first
    history.write("c1", {{"x", round + 10}}, round * 10, round * 10 + 2);
    history.read("c2", "x", round + 10, round * 10 + 5, round * 10 + 6);
  }
  history.write("c1", {{"x", 1}}, 300, 302);
  history.write("c2", {{"x", 2}}, 320, 322);
  history.read("c3", "x", 7, 400, 401);  // never written: reported on its own
  history.read("c3", "x", 1, 410, 411);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "linearizable;linearizable;");
  EXPECT_EQ(reasons(result),
            "read of x by c3 -> 7 at 401ms: no write of x=7 that may have happened was invoked "
            "before the read completed\n"
            "read of x by c3 -> 1 at 411ms: no linearization of x's history allows it "
            "(write x=1 by c1 ok [300ms,302ms], write x=2 by c2 ok [320ms,322ms])\n");
}

TEST(linearizability, a_read_of_a_value_never_written_fails) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c2", {{"x", 7}}, 3, 4, op_status::fail);  // certainly did not happen
  history.read("c3", "x", 7, 10, 11);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "linearizable;");
  EXPECT_EQ(reasons(result),
            "read of x by c3 -> 7 at 11ms: no write of x=7 that may have happened was invoked "
            "before the read completed (write x=7 by c2 fail [3ms,4ms])\n");
}

TEST(linearizability, a_read_of_a_value_written_only_later_fails) {
  history_builder history;
  history.read("c1", "x", 3, 0, 1);
  history.write("c2", {{"x", 3}}, 5, 6);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "linearizable;");
}

TEST(linearizability, a_replica_read_of_a_value_never_written_fails) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.read("c2", "x", 9, 10, 11, "reader");
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "replica_read;");
  EXPECT_EQ(reasons(result),
            "read of x by c2 from reader -> 9 at 11ms: no write of x=9 that may have happened "
            "was invoked before the read completed\n");
}

TEST(linearizability, a_replica_read_of_a_write_that_never_happened_fails) {
  // A dirty read after recovery: the replica showed x=5 from a write whose outcome was unknown;
  // recovery truncated it, and the writer then shows x=1 again.
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.info_write("c1", {{"x", 5}}, 10);
  history.read("c2", "x", 5, 20, 21, "db2");
  history.read("c3", "x", 1, 50, 51);
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "replica_read;");
  EXPECT_EQ(reasons(result),
            "read of x by c2 from db2 -> 5 at 21ms: it can only have read write x=5 by c1 info "
            "(invoked at 10ms, outcome unknown), but no linearization of x's history lets that "
            "write take effect by 21ms (write x=1 by c1 ok [0ms,2ms], read of x by c3 -> 1 ok "
            "[50ms,51ms])\n");
  EXPECT_EQ(result.violations.front().at, sim::ms(21));
}

TEST(linearizability, a_replica_ahead_of_the_writer_endpoint_fails) {
  // The replica showed x=2 at 6ms; a read through the writer that starts after that returns 1.
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 1);
  history.write("c1", {{"x", 2}}, 2, 20);
  history.read("c2", "x", 2, 5, 6, "db2");
  history.read("c3", "x", 1, 7, 8);
  EXPECT_EQ(invariants(history.check()), "replica_read;");
}

TEST(linearizability, replica_reads_that_go_back_fail) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c1", {{"x", 5}}, 10, 12);
  history.read("c2", "x", 1, 20, 21, "db2");
  history.read("c2", "x", 5, 30, 31, "db2");
  history.read("c2", "x", 5, 40, 41, "db2");
  history.read("c2", "x", 1, 50, 51, "db2");
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "monotonic_replica_reads;");
  EXPECT_EQ(reasons(result),
            "reads of x by c2 from db2 went backwards: -> 5 at 41ms, then -> 1 at 51ms; no "
            "linearization of x's history lets write x=1 by c1 ok [0ms,2ms] take effect after "
            "write x=5 by c1 ok [10ms,12ms]\n");
  EXPECT_EQ(result.violations.front().at, sim::ms(51));
}

TEST(linearizability, replica_reads_through_the_reader_endpoint_may_go_back) {
  history_builder history;  // the reader endpoint rotates over replicas that lag differently
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c1", {{"x", 5}}, 10, 12);
  history.read("c2", "x", 5, 30, 31, "reader");
  history.read("c2", "x", 1, 50, 51, "reader");
  expect_passes(history);
}

TEST(linearizability, replica_reads_back_to_none_fail) {
  history_builder history;
  history.write("c1", {{"x", 1}}, 0, 2);
  history.read("c2", "x", 1, 20, 21, "db2");
  history.read("c2", "x", none, 30, 31, "db2");
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "monotonic_replica_reads;");
  EXPECT_EQ(reasons(result),
            "reads of x by c2 from db2 went backwards: -> 1 at 21ms, then -> none at 31ms, as if "
            "no write of x had ever taken effect\n");
}

TEST(linearizability, replica_reads_of_duplicate_values_that_must_go_back_fail) {
  history_builder history;  // both writes of 1 come before the write of 5
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c3", {{"x", 1}}, 3, 4);
  history.write("c1", {{"x", 5}}, 10, 12);
  history.read("c2", "x", 5, 20, 21, "db2");
  history.read("c2", "x", 1, 30, 31, "db2");
  const linearizability_result result = history.check();
  EXPECT_EQ(invariants(result), "monotonic_replica_reads;");
  EXPECT_EQ(reasons(result),
            "reads of x by c2 from db2 went backwards: -> 5 at 21ms, then -> 1 at 31ms; in the "
            "linearization found, every write of x=1 that took effect (write x=1 by c1 ok "
            "[0ms,2ms], write x=1 by c3 ok [3ms,4ms]) comes before write x=5 by c1 ok "
            "[10ms,12ms], which the earlier read saw\n");
}

TEST(linearizability, an_ambiguous_replica_read_is_never_blamed) {
  history_builder history;  // two info writes of 5: neither is known to be the source
  history.write("c1", {{"x", 1}}, 0, 2);
  history.info_write("c1", {{"x", 5}}, 10);
  history.info_write("c3", {{"x", 5}}, 11);
  history.read("c2", "x", 5, 20, 21, "db2");
  history.read("c4", "x", 1, 50, 51);
  expect_passes(history);
}

// --- against brute force ---------------------------------------------------------------------

// Linearizability by enumeration, for histories of a few operations: some subset of the
// unanswered writes and every answered operation, in some order that respects real time, in
// which every read returns the value before it.
struct plain_op {
  bool write = false;
  std::optional<std::int64_t> value;
  std::int64_t call = 0;
  std::optional<std::int64_t> ret;  // none: may take effect at any time after `call`, or never
};

bool respects_real_time(const std::vector<plain_op>& ops, const std::vector<std::size_t>& order) {
  for (std::size_t later = 0; later < order.size(); ++later) {
    for (std::size_t earlier = 0; earlier < later; ++earlier) {
      const plain_op& after = ops[order[earlier]];
      if (after.ret && ops[order[later]].call > *after.ret) continue;
      if (ops[order[later]].ret && *ops[order[later]].ret < after.call) return false;
    }
  }
  return true;
}

bool reads_fit(const std::vector<plain_op>& ops, const std::vector<std::size_t>& order) {
  std::optional<std::int64_t> value;
  for (const std::size_t index : order) {
    if (ops[index].write) {
      value = ops[index].value;
    } else if (ops[index].value != value) {
      return false;
    }
  }
  return true;
}

bool brute_force_linearizable(const std::vector<plain_op>& ops) {
  std::vector<std::size_t> optional;
  for (std::size_t index = 0; index < ops.size(); ++index) {
    if (!ops[index].ret) optional.push_back(index);
  }
  for (std::uint32_t subset = 0; subset < (1U << optional.size()); ++subset) {
    std::vector<std::size_t> order;
    for (std::size_t index = 0; index < ops.size(); ++index) {
      if (ops[index].ret) order.push_back(index);
    }
    for (std::size_t bit = 0; bit < optional.size(); ++bit) {
      if ((subset >> bit) & 1U) order.push_back(optional[bit]);
    }
    std::sort(order.begin(), order.end());
    do {
      if (respects_real_time(ops, order) && reads_fit(ops, order)) return true;
    } while (std::next_permutation(order.begin(), order.end()));
  }
  return false;
}

TEST(linearizability, agrees_with_brute_force_on_small_random_histories) {
  std::uint64_t state = 20261126;
  auto draw = [&state](std::uint64_t below) {  // a fixed LCG: the same cases everywhere
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((state >> 33) % below);
  };
  int linearizable = 0, not_linearizable = 0;
  for (int round = 0; round < 400; ++round) {
    history_builder history;
    std::vector<plain_op> plain;
    std::vector<std::int64_t> free_at(3, 0);  // each client runs one operation at a time
    const int count = 3 + static_cast<int>(draw(4));
    for (int each = 0; each < count; ++each) {
      const auto client = static_cast<std::size_t>(draw(3));
      const std::string name = "c" + std::to_string(client + 1);
      const std::int64_t call = free_at[client] + draw(3);
      const std::int64_t ret = call + draw(4);
      free_at[client] = ret + 1;
      const std::int64_t value = 1 + draw(3);
      if (draw(2) == 0) {
        const bool answered = draw(3) != 0;
        if (answered) {
          history.write(name, {{"x", value}}, call, ret);
        } else {
          history.info_write(name, {{"x", value}}, call);
          free_at[client] = 1'000;  // nothing more from a client whose write never returned
        }
        plain.push_back({true, value, call, answered ? std::optional<std::int64_t>(ret) : none});
      } else {
        const std::optional<std::int64_t> seen = draw(4) == 0 ? none : std::optional(value);
        history.read(name, "x", seen, call, ret);
        plain.push_back({false, seen, call, ret});
      }
    }
    const bool expected = brute_force_linearizable(plain);
    (expected ? linearizable : not_linearizable) += 1;
    const linearizability_result result = history.check();
    EXPECT_EQ(result.violations.empty(), expected) << "round " << round << "\n" << reasons(result);
    EXPECT_EQ(result.keys_unchecked, 0);
  }
  EXPECT_GT(linearizable, 50);  // both kinds are well represented
  EXPECT_GT(not_linearizable, 50);
}

// --- the bound, and determinism ---------------------------------------------------------------

TEST(linearizability, a_search_over_its_budget_is_unchecked_never_a_violation) {
  history_builder history;  // not linearizable, but the budget is too small to tell
  history.write("c1", {{"x", 1}}, 0, 2);
  history.write("c2", {{"x", 2}}, 20, 22);
  history.read("c3", "x", 1, 299, 300);
  history.read("c3", "y", none, 310, 311);
  linearizability_options tight;
  tight.step_budget = 2;
  const linearizability_result result = history.check(tight);
  EXPECT_TRUE(result.violations.empty()) << reasons(result);
  EXPECT_EQ(result.keys_unchecked, 1);
  EXPECT_EQ(result.unchecked, std::vector<std::string>{"x"});
  EXPECT_EQ(result.keys_checked, 1);
  EXPECT_EQ(invariants(history.check()), "linearizable;");  // the default budget decides
}

TEST(linearizability, many_unanswered_writes_are_judged_or_left_unchecked) {
  // 300 writes that may or may not have happened, each read once, in another order: every
  // subset of them could be tried at every point; the search's pruning keeps it near 64,000
  // steps, and a smaller budget leaves the key unchecked rather than guessing.
  history_builder history;
  constexpr int writes = 300;
  for (int index = 0; index < writes; ++index) {
    history.info_write("w" + std::to_string(index), {{"x", index + 1}}, index);
  }
  for (int index = 0; index < writes; ++index) {
    history.read("r", "x", (index * 7) % writes + 1, 1'000 + 2 * index, 1'001 + 2 * index);
  }
  const linearizability_result full = history.check();
  EXPECT_TRUE(full.violations.empty()) << reasons(full);  // each write happens when it is read
  EXPECT_EQ(full.keys_checked, 1);
  EXPECT_EQ(full.keys_unchecked, 0);
  EXPECT_LT(full.steps, 100'000U);
  linearizability_options small;
  small.step_budget = 1'000;
  const linearizability_result result = history.check(small);
  EXPECT_TRUE(result.violations.empty()) << reasons(result);
  EXPECT_EQ(result.keys_unchecked, 1);
  EXPECT_EQ(result.steps, 1'000U);
}

TEST(linearizability, reasons_are_the_same_on_every_run) {
  auto build = [] {
    history_builder history;  // one violation of each invariant, on keys x, y and z
    history.write("c1", {{"x", 1}, {"y", 1}, {"z", 1}}, 0, 2);
    history.write("c2", {{"x", 2}, {"z", 2}}, 20, 22);
    history.info_write("c3", {{"y", 5}}, 25);
    history.read("c2", "y", 5, 30, 31, "db2");
    history.read("c1", "y", 1, 60, 61);
    history.read("c3", "x", 1, 299, 300);
    history.read("c2", "z", 2, 301, 302, "db2");
    history.read("c2", "z", 1, 310, 311, "db2");
    return history;
  };
  const linearizability_result first = build().check();
  const linearizability_result second = build().check();
  EXPECT_EQ(invariants(first), "replica_read;linearizable;monotonic_replica_reads;");
  ASSERT_EQ(first.violations.size(), second.violations.size());
  for (std::size_t index = 0; index < first.violations.size(); ++index) {
    EXPECT_EQ(first.violations[index].invariant, second.violations[index].invariant);
    EXPECT_EQ(first.violations[index].reason, second.violations[index].reason);
    EXPECT_EQ(first.violations[index].at, second.violations[index].at);
    EXPECT_EQ(first.violations[index].step, second.violations[index].step);
  }
  EXPECT_EQ(first.steps, second.steps);
}

}  // namespace
