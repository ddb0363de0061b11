// Tutorial 3: the redo log and its LSN points, one acknowledgement at a time.
//
// A worked example on the model's own bookkeeping, without a network: the writer allocates six
// redo records with LSNs and back-links on two protection groups [P18 §2.2]; each segment
// (`aurora::storage::segment`) computes its SCL from the records it has received [P17 §4.2.1];
// the writer's `aurora::db::lsn_points` turns the SCLs it is told into PGCL, VCL and VDL
// [P17 §4.1; P18 §2.3]. After every acknowledgement the program prints the points, and it
// acknowledges a transaction's commit to its client only when VDL reaches the commit LSN
// [P17 §4.2.2]. What it shows: VCL moves in LSN order across PGs, VDL stops at a CPL (below VCL
// in the middle of a mini-transaction), and a segment with a gap reports a low SCL until gossip
// fills it. The output is deterministic: it is the golden file lsn_points_walkthrough.golden.
#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "aurora/db/lsn_points.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/segment.hpp"

namespace {

using namespace aurora;
using storage::lsn;

struct transaction {
  std::string name;
  lsn commit = storage::no_lsn;
  bool acknowledged = false;
};

class walkthrough {
 public:
  // Appends one redo record, with its three back-links, and tells the writer's lsn_points.
  void allocate(storage::pg_id pg, storage::page_id page, const char* put, bool cpl,
                const char* commits) {
    storage::log_record record;
    record.id = ++last_;
    record.previous_in_volume = last_ - 1;
    record.previous_in_pg = last_in_pg_[pg];
    record.previous_for_page = last_for_page_[page];
    record.pg = pg;
    record.page = page;
    record.cpl = record.commit = cpl;
    last_in_pg_[pg] = last_for_page_[page] = record.id;
    records_[record.id] = record;
    points_.append(record);
    std::printf("  LSN %llu  PG %u  page %u  %-4s  back-links: volume %llu, PG %llu, page %llu%s",
                id(record.id), pg, page, put, id(record.previous_in_volume),
                id(record.previous_in_pg), id(record.previous_for_page), cpl ? "  CPL," : "");
    if (cpl) {
      transactions_.push_back({commits, record.id, false});
      std::printf(" commit of %s", commits);
    }
    std::printf("\n");
  }

  // Segment `slot` of `pg` receives these records, then acknowledges its SCL to the writer.
  void deliver(storage::pg_id pg, int slot, std::vector<lsn> received, const char* note = "") {
    std::string got;
    for (lsn each : received) {
      segments_[pg][slot].accept(records_.at(each));
      got += (got.empty() ? "" : ",") + std::to_string(each);
    }
    acknowledge(pg, slot, "gets " + got, note);
  }

  // Segment `slot` asks its peer `from` for what it misses above its SCL (gossip [P17 §3.3]).
  void gossip(storage::pg_id pg, int slot, int from) {
    storage::segment& segment = segments_[pg][slot];
    const storage::gossip_payload payload = segments_[pg][from].gossip_for(segment.scl());
    segment.absorb(payload);
    std::string got;
    for (const storage::log_record& each : payload.records) {
      got += (got.empty() ? "" : ",") + std::to_string(each.id);
    }
    acknowledge(pg, slot, "gossips with " + names_.node_of(pg, from) + ", gets " + got, "");
  }

 private:
  static unsigned long long id(lsn value) { return value; }

  // The segment reports its SCL; the writer updates PGCL, VCL, VDL and acknowledges commits.
  void acknowledge(storage::pg_id pg, int slot, const std::string& what, const char* note) {
    const storage::segment& segment = segments_[pg][slot];
    points_.acknowledge(pg, slot, 0, segment.scl(), membership_);
    std::printf("  %s %-9s -> SCL %llu | PGCL0 %llu  PGCL1 %llu  VCL %llu  VDL %llu%s\n",
                names_.node_of(pg, slot).c_str(), what.c_str(), id(segment.scl()),
                id(points_.pgcl(0)), id(points_.pgcl(1)), id(points_.vcl()), id(points_.vdl()),
                note);
    for (transaction& each : transactions_) {
      if (each.acknowledged || points_.vdl() < each.commit) continue;
      each.acknowledged = true;
      std::printf("      VDL %llu >= %llu: commit of %s acknowledged to its client\n",
                  id(points_.vdl()), id(each.commit), each.name.c_str());
    }
  }

  storage::placement names_{{.protection_groups = 2, .nodes_per_az = 4}};
  storage::pg_membership membership_;  // six segments, no replacement in progress
  db::lsn_points points_{storage::quorum_sizes(storage::aurora_quorum{}), 2};
  std::array<std::array<storage::segment, 6>, 2> segments_;
  std::map<lsn, storage::log_record> records_;
  std::array<lsn, 2> last_in_pg_{};
  std::map<storage::page_id, lsn> last_for_page_;
  lsn last_ = storage::no_lsn;
  std::vector<transaction> transactions_;
};

}  // namespace

int main() {
  walkthrough run;
  std::printf("Two protection groups: PG 0 on a1 a2 b1 b2 c1 c2, PG 1 on a3 a4 b3 b4 c3 c4.\n");
  std::printf("Write quorum 4 of 6. Each line below: a segment gets records, acknowledges its\n");
  std::printf("SCL, and the writer's PGCL (per PG), VCL and VDL are printed after that ack.\n\n");
  std::printf("1. The writer allocates LSNs. T2 is ONE mini-transaction of three records:\n");
  run.allocate(0, 0, "x=1", true, "T1");
  run.allocate(1, 4, "y=2", false, "");
  run.allocate(0, 1, "z=3", false, "");
  run.allocate(1, 5, "w=4", true, "T2");

  std::printf("\n2. PG 0's segments receive LSN 1. The fourth ack makes a write quorum:\n");
  run.deliver(0, 0, {1});
  run.deliver(0, 1, {1});
  run.deliver(0, 2, {1});
  run.deliver(0, 3, {1});

  std::printf("\n3. LSN 2 and 3 become durable; LSN 4 (T2's CPL) is still in flight:\n");
  run.deliver(1, 0, {2});
  run.deliver(1, 1, {2});
  run.deliver(1, 2, {2});
  run.deliver(1, 3, {2}, "   <- VCL 2, but VDL stays at the CPL 1");
  run.deliver(0, 0, {3});
  run.deliver(0, 1, {3});
  run.deliver(0, 5, {3}, "   <- c2 missed LSN 1: a gap, so SCL 0");
  run.deliver(0, 2, {3});
  run.deliver(0, 3, {3}, "   <- VCL 3 inside T2's mini-transaction");

  std::printf("\n4. LSN 4 reaches a write quorum of PG 1: T2's CPL, so VDL jumps to 4:\n");
  run.deliver(1, 0, {4});
  run.deliver(1, 1, {4});
  run.deliver(1, 2, {4});
  run.deliver(1, 4, {2, 4});

  std::printf("\n5. Two more transactions. T4's PG is quick, T3's is not:\n");
  run.allocate(0, 0, "x=5", true, "T3");
  run.allocate(1, 4, "y=6", true, "T4");
  run.deliver(1, 0, {6});
  run.deliver(1, 1, {6});
  run.deliver(1, 2, {6});
  run.deliver(1, 3, {4, 6}, "   <- PGCL1 6, but VCL waits for LSN 5");
  run.deliver(0, 0, {5});
  run.deliver(0, 1, {5});
  run.deliver(0, 2, {5});
  run.deliver(0, 3, {5});

  std::printf("\n6. c2 still has a gap. Gossip with a peer fills it; its SCL catches up:\n");
  run.gossip(0, 5, 0);
}
