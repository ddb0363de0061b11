// Tutorial 1: the quorum table of [P17 §2.1] (tutorial 1, step 4), computed live on the model.
//
// Aurora keeps 6 copies of every protection group (2 in each of 3 AZs), acknowledges a write
// once 4 copies have it, and recovers from any 3 [P17 §2.1]. This program does not print that
// table from memory: for 0..6 lost copies of protection group 0 (a1 a2 b1 b2 c1 c2, whole AZs
// first) it builds a fresh `aurora::ops::simulation` (a world with one cluster on it), crashes
// the copies, and asks the model what happens to a write, to a read, to a writer that crashes and
// recovers, and to the acknowledged data once the copies come back. Every invariant is checked
// throughout. The output is deterministic: it is the golden file quorum_table.golden.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "aurora/check/fact_log.hpp"
#include "aurora/check/invariants.hpp"
#include "aurora/ops/deployment.hpp"

namespace {

using namespace aurora;

// The crashes that lose the first `lost` copies of PG 0: AZ a's two storage nodes first, then
// b's, then c's. Storage nodes only, not `az a`: an AZ outage would stop the instances living in
// it too (db1 is in AZ a, db2 in b), and this table is about the copies alone (tutorial 2 loses
// whole AZs).
std::vector<sim::target> losing(int lost) {
  std::vector<sim::target> faults;
  for (int az = 0; az < 3; ++az) {
    const std::string letter(1, static_cast<char>('a' + az));
    const int in_az = std::clamp(lost - 2 * az, 0, 2);
    for (int node = 1; node <= in_az; ++node) {
      faults.push_back({letter + std::to_string(node), false});
    }
  }
  return faults;
}

// The VDL of the latest `recovery ... phase=computed` event, if recovery got that far.
std::optional<std::int64_t> recovered_vdl(ops::deployment& model) {
  std::optional<std::int64_t> vdl;
  for (const trace::event& each : model.trace().events()) {
    if (each.kind != "recovery") continue;
    for (const trace::field& field : each.fields) {
      if (field.key == "vdl") vdl = std::get<std::int64_t>(field.value);
    }
  }
  return vdl;
}

struct row_runner {
  check::fact_log facts;  // what the instances decide, for the checker
  ops::simulation model;  // a world, its storage fleet and one cluster
  check::invariant_checker checker{model, facts};
  int violations = 0;

  explicit row_runner(const ops::setup& config) : model(config, &facts) {}

  void run_for(sim::duration span) {  // advances time, checking every invariant every 5ms
    const sim::time_point until = model.now() + span;
    while (model.now() < until) {
      model.run_until(std::min(until, model.now() + sim::ms(5)));
      violations += static_cast<int>(checker.check().size());
    }
  }
  const check::operation& op(std::size_t index) { return model.history().at(index); }
};

int print_row(int lost) {  // returns the number of invariant violations
  ops::setup config;
  config.seed = 1;
  config.replicas = 1;  // db2 reads from storage: x is not in its page cache
  config.op_timeout = sim::ms(100);
  config.trace = true;  // to see recovery's `computed` event
  row_runner row(config);
  ops::deployment& model = row.model;

  model.write("c1", {{"x", 1}});  // op 0: with every copy up
  row.run_for(sim::ms(20));

  std::string crashed;
  for (const sim::target& each : losing(lost)) {
    model.apply(sim::crash{each});
    crashed += (crashed.empty() ? "" : " ") + sim::to_string(each);
  }
  model.write("c1", {{"y", 2}});  // op 1: needs a write quorum (4)
  model.read("c2", "x", "db2");   // op 2: needs one complete segment
  row.run_for(config.op_timeout + sim::ms(5));
  const bool write_ok = row.op(1).status == check::op_status::ok;

  model.trace().clear_events();  // the writer crashes and restarts: crash recovery
  model.apply(sim::crash{{"db1", false}});
  model.apply(sim::restart{{"db1", false}});
  row.run_for(sim::ms(100));
  const std::optional<std::int64_t> vdl = recovered_vdl(model);
  std::string recovery = "blocked (no 3/6)";
  if (vdl) recovery = "VDL " + std::to_string(*vdl) + ", waits for 4/6";
  if (model.writer().role() == db::instance_role::writer) {
    recovery = "VDL " + std::to_string(vdl.value_or(0)) + ", open";
  }

  for (const sim::target& each : losing(lost)) model.apply(sim::restart{each});
  row.run_for(sim::ms(200));
  const bool open = model.writer().role() == db::instance_role::writer;
  model.read("c3", "x");  // op 3
  model.read("c4", "y");  // op 4
  row.run_for(sim::ms(100));
  const auto shown = [](const check::operation& op) {
    return op.value ? std::to_string(*op.value) : std::string("none");
  };
  const bool kept = row.op(3).value == std::optional<std::int64_t>(1) &&
                    (!write_ok || row.op(4).value == std::optional<std::int64_t>(2));
  const check::operation& read_x = row.op(2);
  const std::string read_text =
      read_x.status == check::op_status::ok ? "x=" + shown(read_x) : "unavailable";
  const std::string after =
      std::string(open ? "open" : "CLOSED") + ", x=" + shown(row.op(3)) + " y=" + shown(row.op(4));

  std::printf("%4d  %-17s  %-12s  %-12s  %-20s  %-16s  %s\n", lost,
              crashed.empty() ? "-" : crashed.c_str(), write_ok ? "acknowledged" : "stalls",
              read_text.c_str(), recovery.c_str(), after.c_str(), kept ? "kept" : "LOST");
  return row.violations;
}

}  // namespace

int main() {
  std::printf("Protection group 0: one segment on each of a1 a2 b1 b2 c1 c2 (2 per AZ).\n");
  std::printf("Write quorum 4 of 6, read quorum 3 of 6. Per row: a fresh cluster writes x=1,\n");
  std::printf("then loses that many copies, writes y=2, reads x on the replica db2, crashes\n");
  std::printf("and restarts the writer db1, and finally brings the lost copies back.\n\n");
  std::printf("%4s  %-17s  %-12s  %-12s  %-20s  %-16s  %s\n", "lost", "crashed", "write y=2",
              "read x (db2)", "recovering writer", "copies back", "acked");
  int violations = 0;
  for (int lost = 0; lost <= 6; ++lost) violations += print_row(lost);
  std::printf("\nInvariants checked every 5ms of simulated time: %d violation(s).\n", violations);
  return violations == 0 ? 0 : 1;
}
