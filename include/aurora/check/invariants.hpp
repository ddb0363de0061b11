// Named invariants, checked after every step of a run.
//
// Each invariant has a name, a predicate over the model and its history, and a reason for each
// clause that fails (the habit of stateright properties and FoundationDB workload checks). They
// observe the cluster; they never change it.
//  - durability: no acknowledged write is lost: none of its records is removed by a truncation,
//    and while its PG keeps at least Vr intact segments (a hydrating replacement is not yet a
//    copy), at least one of them holds it in its complete chain;
//  - read_quorum_overlap: every acknowledged record is held by so many intact segments of its
//    PG that no read quorum of the others could miss it (fewer than Vr intact segments lack it).
//    This is the rule Vr + Vw > V exists for [P17 §2.1]: a recovery reads any Vr segments;
//  - vdl_durable: a record is at or below an open writer's VDL only once it is durable: held by
//    so many intact segments of its PG that no read quorum of the others could miss it [P17
//    §4.1]. After a recovery, this is what re-replicating the kept records buys: the new writer
//    opens only once every record it keeps is on a write quorum [P17 §4.3]. Each record is
//    judged once, at the first check after VDL passes it (between two checks no data is lost:
//    faults are steps, and a check precedes every step);
//  - read_after_commit: a read through the writer that starts after a write's acknowledgement
//    returns that write's version of the key or a newer one [P17 §4.2.3];
//  - unique_lsn: no LSN is allocated twice (two writers at once, split brain) [P18 §2.4];
//  - valid_read: every read returns a value some transaction wrote to that key at that LSN (or
//    none, when no write came before it);
//  - no_dirty_read: no read ever returns a version that a truncation later removes;
//  - monotonic_points: an instance's VCL and VDL never go backwards while its epoch stands, VDL
//    never goes back across epochs, and no segment's SCL or epoch goes backwards except by a
//    truncation (SCL) or the loss of its disk;
//  - scl_complete: SCL moves only along the PG back-links: a segment holds every record of its
//    PG up to its SCL, except those a truncation removed [P18 §2.3];
//  - old_writer_stops: a failover restarts the old writer when the control plane reaches it;
//  - the rules checked on the instances' decisions (check/protocol_rules.hpp): allocation within
//    LAL, write quorums of every member set, acknowledgement epochs, VDL, commits and read points
//    at CPLs, garbage collection below read points, truncation bounds, one writer per epoch.
// docs/rules.md maps every rule of the design to the invariant that guards it.
// A violation carries the invariant, the reason, the simulated time and the step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <set>
#include <utility>
#include <vector>

#include "aurora/check/fact_log.hpp"
#include "aurora/check/history.hpp"
#include "aurora/check/protocol_rules.hpp"
#include "aurora/check/violation.hpp"
#include "aurora/db/cluster.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/sim/assert.hpp"

namespace aurora::check {

class invariant_checker {
 public:
  // Checks the cluster `cluster` of `deployment`, whose instances report to `facts`; the
  // judged facts are dropped from `facts`, so that memory stays flat.
  invariant_checker(const ops::deployment& deployment, fact_log& facts,
                    std::string_view cluster = "main")
      : world_(deployment.world()), history_(deployment.history()),
        model_(deployment.cluster(cluster)), facts_(facts), rules_(model_.config().lal) {}

  // Runs every invariant; returns the violations found now (each reported once).
  std::vector<violation> check() {
    std::vector<violation> found;
    absorb_new_records(found);
    check_durability(found);
    check_vdl_durable(found);
    check_reads(found);
    check_points(found);
    check_segments(found);
    check_protocol_facts(found);
    for (const violation& each : found) seen_.push_back(each);
    return found;
  }

  [[nodiscard]] const std::vector<violation>& violations() const { return seen_; }
  // How many protocol facts have been judged (the cluster may drop those).
  [[nodiscard]] std::size_t facts_judged() const { return facts_seen_; }

  // The record with this LSN, if any writer allocated it.
  [[nodiscard]] const storage::log_record* record(storage::lsn id) const {
    auto found = records_.find(id);
    return found == records_.end() ? nullptr : &found->second;
  }

  // The LSN of the record of `key` in the transaction that committed at `commit`.
  [[nodiscard]] storage::lsn key_record(storage::lsn commit, storage::key_id key) const {
    const storage::log_record* last = record(commit);
    if (last == nullptr) return storage::no_lsn;
    for (storage::lsn id = last->txn; id <= commit; ++id) {
      const storage::log_record* each = record(id);
      if (each != nullptr && each->key == key && each->txn == last->txn) return id;
    }
    return storage::no_lsn;
  }

  // The newest version of `key` acknowledged before `before` (none: no_lsn).
  [[nodiscard]] storage::lsn latest_acknowledged(storage::key_id key, sim::time_point before) const {
    storage::lsn latest = storage::no_lsn;
    for (const operation& op : history_.operations()) {
      if (!mine(op) || op.kind != op_kind::write || op.status != op_status::ok ||
          op.completed >= before) {
        continue;
      }
      for (const auto& [written, value] : op.puts) {
        if (written == key) latest = std::max(latest, key_record(op.at, key));
      }
    }
    return latest;
  }

 private:
  // An operation on the checked cluster (a deployment's history holds every cluster's).
  [[nodiscard]] bool mine(const operation& op) const { return op.cluster == model_.name(); }

  void absorb_new_records(std::vector<violation>& found) {
    const std::vector<storage::log_record>& all = facts_.allocated();
    for (; records_seen_ < all.size(); ++records_seen_) {
      const storage::log_record& each = all[records_seen_];
      if (records_.emplace(each.id, each).second) continue;
      add(found, "unique_lsn", "LSN " + std::to_string(each.id) +
                                   " was allocated twice: two writers were open at once");
    }
  }

  void add(std::vector<violation>& found, const char* invariant, std::string reason) {
    if (!reported_.emplace(invariant, reason).second) return;
    found.push_back({invariant, std::move(reason), world_.now(), world_.current_step()});
  }

  [[nodiscard]] bool truncated(storage::lsn id) const {
    for (const storage::truncation_range& range : facts_.truncations()) {
      if (range.covers(id)) return true;
    }
    return false;
  }

  void check_durability(std::vector<violation>& found) {
    const std::vector<db::segment_view> segments = model_.segments();
    for (const operation& op : history_.operations()) {
      if (!mine(op) || op.kind != op_kind::write || op.status != op_status::ok) continue;
      const storage::log_record* commit = record(op.at);
      if (commit == nullptr) continue;
      for (storage::lsn id = commit->txn; id <= op.at; ++id) {
        const storage::log_record* each = record(id);
        if (each == nullptr || each->txn != commit->txn) continue;
        check_record_durable(found, op, *each, segments);
      }
    }
  }

  void check_record_durable(std::vector<violation>& found, const operation& op,
                            const storage::log_record& each,
                            const std::vector<db::segment_view>& segments) {
    const std::string what = "acknowledged write of " + model_.keys().name(each.key) + "=" +
                             std::to_string(each.value) + " by " + op.process + " (LSN " +
                             std::to_string(each.id) + ")";
    if (truncated(each.id)) {
      return add(found, "durability", what + " was removed by a recovery's truncation");
    }
    int intact = 0, holding = 0;
    for (const db::segment_view& segment : segments) {
      if (segment.pg != each.pg || segment.hydrating) continue;
      ++intact;
      if (segment.data->holds(each.id)) ++holding;
    }
    if (intact >= model_.quorum().vr() && holding == 0) {
      add(found, "durability", what + " is held by none of the " + std::to_string(intact) +
                                   " intact segments of PG " + std::to_string(each.pg));
    } else if (intact - holding >= model_.quorum().vr()) {
      add(found, "read_quorum_overlap",
          what + " is held by only " + std::to_string(holding) + " of the " +
              std::to_string(intact) + " intact segments of PG " + std::to_string(each.pg) +
              ": a read quorum of " + std::to_string(model_.quorum().vr()) +
              " others could miss it");
    }
  }

  void check_vdl_durable(std::vector<violation>& found) {
    const db::instance& writer = model_.writer();
    if (writer.role() != db::instance_role::writer || writer.vdl() <= durable_to_) return;
    const std::vector<db::segment_view> segments = model_.segments();
    for (auto it = records_.upper_bound(durable_to_);
         it != records_.end() && it->first <= writer.vdl(); ++it) {
      const storage::log_record& each = it->second;
      if (truncated(each.id)) continue;  // a dead writer's tail, below a later VDL
      int intact = 0, holding = 0;
      for (const db::segment_view& segment : segments) {
        if (segment.pg != each.pg || segment.hydrating) continue;
        ++intact;
        if (segment.data->holds(each.id)) ++holding;
      }
      if (intact - holding < model_.quorum().vr()) continue;
      add(found, "vdl_durable",
          writer.name() + " (epoch " + std::to_string(writer.volume_epoch()) + ") has VDL " +
              std::to_string(writer.vdl()) + " at or above LSN " + std::to_string(each.id) +
              " of PG " + std::to_string(each.pg) + ", which only " + std::to_string(holding) +
              " of the " + std::to_string(intact) + " intact segments hold: a read quorum of " +
              std::to_string(model_.quorum().vr()) + " others could miss it");
    }
    durable_to_ = writer.vdl();
  }

  void check_reads(std::vector<violation>& found) {
    for (const operation& op : history_.operations()) {
      if (!mine(op) || op.kind != op_kind::read || op.status != op_status::ok) continue;
      check_valid_read(found, op);
      if (op.at != storage::no_lsn && truncated(op.at)) {
        add(found, "no_dirty_read", describe(op) + " returned LSN " + std::to_string(op.at) +
                                        ", which a recovery later truncated");
      }
      if (!op.from.empty()) continue;  // replicas may lag: read-after-commit is the writer's
      const storage::lsn newest = latest_acknowledged(op.key, op.invoked);
      if (op.at < newest) {
        add(found, "read_after_commit",
            describe(op) + " returned the version at LSN " + std::to_string(op.at) +
                ", older than LSN " + std::to_string(newest) +
                " acknowledged before the read started");
      }
    }
  }

  void check_valid_read(std::vector<violation>& found, const operation& op) {
    if (op.at == storage::no_lsn) {
      if (op.value) add(found, "valid_read", describe(op) + " returned a value with no version");
      return;
    }
    const storage::log_record* written = record(op.at);
    if (written == nullptr) {
      add(found, "valid_read", describe(op) + " at LSN " + std::to_string(op.at) +
                                   ", an LSN no writer allocated");
    } else if (written->key != op.key || !op.value || written->value != *op.value) {
      add(found, "valid_read",
          describe(op) + " at LSN " + std::to_string(op.at) + ", but the record allocated at " +
              "that LSN wrote " + model_.keys().name(written->key) + "=" +
              std::to_string(written->value));
    }
  }

  std::string describe(const operation& op) const {
    std::string text = "read of " + model_.keys().name(op.key) + " by " + op.process;
    if (!op.from.empty()) text += " from " + op.from;
    text += " -> " + (op.value ? std::to_string(*op.value) : std::string("none"));
    return text;
  }

  void check_points(std::vector<violation>& found) {
    const std::vector<point_change>& changes = facts_.point_changes();
    for (; points_seen_ < changes.size(); ++points_seen_) {
      const point_change& now = changes[points_seen_];
      auto [last, fresh] = last_points_.try_emplace(now.instance, now);
      if (!fresh && now.volume_epoch == last->second.volume_epoch) {
        if (now.vdl < last->second.vdl) {
          add(found, "monotonic_points", now.instance + " VDL went back from " +
                                             std::to_string(last->second.vdl) + " to " +
                                             std::to_string(now.vdl));
        }
        if (now.vcl < last->second.vcl) {
          add(found, "monotonic_points", now.instance + " VCL went back from " +
                                             std::to_string(last->second.vcl) + " to " +
                                             std::to_string(now.vcl));
        }
      }
      if (now.volume_epoch > highest_epoch_ && now.vdl < highest_vdl_) {
        add(found, "monotonic_points",
            now.instance + " opened epoch " + std::to_string(now.volume_epoch) + " at VDL " +
                std::to_string(now.vdl) + ", below the VDL " + std::to_string(highest_vdl_) +
                " of an earlier writer");
      }
      highest_epoch_ = std::max(highest_epoch_, now.volume_epoch);
      if (now.volume_epoch == highest_epoch_) highest_vdl_ = std::max(highest_vdl_, now.vdl);
      last->second = now;
    }
  }

  void check_segments(std::vector<violation>& found) {
    for (const db::segment_view& segment : model_.segments()) {
      const seen_segment now{segment.data->scl(), segment.data->volume_epoch(),
                             segment.data->truncation_decision().decided_by, segment.disk};
      auto [last, fresh] = segments_.try_emplace({segment.pg, segment.slot}, now);
      const bool same_disk = !fresh && last->second.disk == now.disk;
      if (same_disk && now.scl < last->second.scl && now.decision == last->second.decision) {
        add(found, "monotonic_points",
            "SCL of " + segment.node + " (PG " + std::to_string(segment.pg) + ") went back from " +
                std::to_string(last->second.scl) + " to " + std::to_string(now.scl) +
                " without a truncation");
      }
      if (same_disk && now.epoch < last->second.epoch) {
        add(found, "monotonic_points", "the volume epoch at " + segment.node + " went back");
      }
      const storage::lsn checked = same_disk ? std::min(last->second.checked, now.scl)
                                             : segment.data->base_lsn();
      last->second = now;
      last->second.checked = std::max(checked, check_chain(found, segment, checked));
    }
  }

  // SCL advances only along the PG back-links [P18 §2.3]: a segment holds every record of its PG
  // up to its SCL, except those a truncation removed. Checks the records in (from, SCL].
  storage::lsn check_chain(std::vector<violation>& found, const db::segment_view& segment,
                           storage::lsn from) {
    const storage::lsn scl = segment.data->scl();
    for (auto it = records_.upper_bound(from); it != records_.end() && it->first <= scl; ++it) {
      const storage::log_record& each = it->second;
      if (each.pg != segment.pg || segment.data->holds(each.id)) continue;
      if (truncated(each.id) || segment.data->truncation_decision().covers(each.id)) continue;
      add(found, "scl_complete",
          "SCL of " + segment.node + " (PG " + std::to_string(segment.pg) + ") is " +
              std::to_string(scl) + ", but it lacks LSN " + std::to_string(each.id) +
              ": SCL moves only along the PG back-links, over records the segment holds");
      break;
    }
    return scl;
  }

  void check_protocol_facts(std::vector<violation>& found) {
    const std::vector<db::facts::stamped>& facts = facts_.facts();
    const std::size_t dropped = facts_.facts_dropped();
    AURORA_ASSERT(dropped <= facts_seen_, "facts are dropped only once judged");
    for (; facts_seen_ - dropped < facts.size(); ++facts_seen_) {
      const db::facts::stamped& fact = facts[facts_seen_ - dropped];
      if (const auto* each = std::get_if<db::facts::failover>(&fact.what)) note_failover(*each);
      std::vector<violation> broken;
      rules_.consume(fact, broken);
      for (violation& each : broken) {
        if (reported_.emplace(each.invariant, each.reason).second) found.push_back(std::move(each));
      }
    }
    facts_.drop_facts_before(facts_seen_);  // judged: memory stays flat
    check_old_writers_stopped(found);
  }

  // A failover restarts the old writer when the control plane reaches it [UG]: from then on it
  // serves as a replica, never as the writer (only an unreachable zombie may, until an epoch
  // fences it). Checked at the first check after the failover.
  void note_failover(const db::facts::failover& fact) {
    must_have_stopped_.erase(fact.target);
    if (fact.old_restarted) must_have_stopped_.insert(fact.old_writer);
  }

  void check_old_writers_stopped(std::vector<violation>& found) {
    for (const int number : must_have_stopped_) {
      const std::string name = model_.instance_name(number);
      const db::instance& old = model_.find_instance(name);
      if (old.role() == db::instance_role::writer && model_.control().writer != name) {
        add(found, "old_writer_stops",
            name + " still serves as the writer after the failover to " + model_.control().writer +
                ": a failover restarts the old writer when the control plane can reach it");
      }
    }
    must_have_stopped_.clear();
  }

  struct seen_segment {
    storage::lsn scl;
    storage::epoch epoch;
    storage::epoch decision;  // the truncation decision it follows: SCL may drop when it changes
    std::uint32_t disk;
    storage::lsn checked = storage::no_lsn;  // its chain is checked up to here (scl_complete)
  };

  const db::world& world_;
  const ops::history& history_;
  const db::cluster& model_;
  fact_log& facts_;
  std::map<storage::lsn, storage::log_record> records_;
  std::size_t records_seen_ = 0;
  std::size_t points_seen_ = 0;
  std::map<std::string, point_change> last_points_;
  storage::epoch highest_epoch_ = 0;
  storage::lsn durable_to_ = storage::no_lsn;  // vdl_durable judged the records up to here
  storage::lsn highest_vdl_ = 0;
  std::map<std::pair<storage::pg_id, int>, seen_segment> segments_;
  protocol_rules rules_;
  std::set<int> must_have_stopped_;  // old writers a failover restarted (old_writer_stops)
  std::size_t facts_seen_ = 0;
  std::set<std::pair<std::string, std::string>> reported_;
  std::vector<violation> seen_;
};

}  // namespace aurora::check
