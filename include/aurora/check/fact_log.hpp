// The fact log: what the instances of one cluster decide, kept for the checkers.
//
// The model reports its decisions through `db::cluster_observer` (db/cluster.hpp; the facts are
// in db/protocol_facts.hpp, stamped with the simulated time and scenario step) and never keeps
// them; this log is the checkers' side of that hook. It keeps the stamped facts, and the three
// views the invariants read: every allocated record (unique LSNs, valid reads, durability), every
// truncation range that reached storage (dirty reads, lost writes), and the instances' point
// changes (monotonic points). The protocol rules consume the stamped facts once;
// `drop_facts_before` then lets the judged ones go, so that memory stays flat over a long run.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "aurora/db/cluster.hpp"
#include "aurora/db/protocol_facts.hpp"

namespace aurora::check {

// A change of an instance's LSN points, for the monotonicity invariant.
struct point_change {
  std::string instance;
  storage::lsn vcl = storage::no_lsn;
  storage::lsn vdl = storage::no_lsn;
  storage::epoch volume_epoch = 0;
};

class fact_log final : public db::cluster_observer {
 public:
  void report(const db::facts::stamped& stamped) override {
    const db::facts::fact& what = stamped.what;
    if (const auto* each = std::get_if<db::facts::allocated>(&what)) {
      allocated_.push_back(each->record);
    }
    if (const auto* each = std::get_if<db::facts::truncated>(&what)) {
      if (each->written) truncations_.push_back(each->range);
    }
    if (const auto* each = std::get_if<db::facts::points>(&what)) {
      point_changes_.push_back(
          {"db" + std::to_string(each->instance), each->vcl, each->vdl, each->writer_epoch});
    }
    facts_.push_back(stamped);
  }

  // A clone's log starts with the records of its source that its clone point covers (the
  // versions the clone may serve without having written them): the checker then knows them like
  // records its own writers allocated.
  void adopt_source_record(const storage::log_record& record) { allocated_.push_back(record); }

  [[nodiscard]] const std::vector<storage::log_record>& allocated() const { return allocated_; }
  [[nodiscard]] const std::vector<storage::truncation_range>& truncations() const {
    return truncations_;
  }
  [[nodiscard]] const std::vector<point_change>& point_changes() const { return point_changes_; }

  // The facts in the order they were reported, from number `facts_dropped()` on.
  [[nodiscard]] const std::vector<db::facts::stamped>& facts() const { return facts_; }
  [[nodiscard]] std::size_t facts_dropped() const { return facts_dropped_; }
  void drop_facts_before(std::size_t number) {
    if (number <= facts_dropped_) return;
    const std::size_t count = std::min(number - facts_dropped_, facts_.size());
    facts_.erase(facts_.begin(), facts_.begin() + static_cast<std::ptrdiff_t>(count));
    facts_dropped_ += count;
  }

 private:
  std::vector<storage::log_record> allocated_;
  std::vector<storage::truncation_range> truncations_;
  std::vector<point_change> point_changes_;
  std::vector<db::facts::stamped> facts_;
  std::size_t facts_dropped_ = 0;
};

}  // namespace aurora::check
