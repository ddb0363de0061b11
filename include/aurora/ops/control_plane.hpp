// The control plane: the decisions that change a cluster's metadata, made outside the data path.
//
// DESIGN §3, the operations layer. Aurora keeps volume metadata — which instance is the writer,
// each protection group's membership, the volume epoch — in services of its own, not on the
// data path [P18 §2.4, §4]. In the model the *state* lives where the data path reads it: the
// designated writer and each PG's membership in the cluster (db/control_plane.hpp, which every
// instance of the cluster reads), the volume epochs in the storage metadata service
// (storage/metadata_service.hpp, owned by the fleet; every recovery takes the next epoch). The
// *decisions* are made here, and drive the cluster through its public calls:
//  - failover [UG]: promote the named instance, or the first other live one in db order (the
//    model's stand-in for promotion tiers); as since Aurora MySQL 2.10, only the old writer and
//    the target restart. The old writer stops serving as the writer at once and comes back as a
//    replica; the target comes back recovering the volume [P17 §4.3]. Transactions in flight on
//    the old writer get no answer (their outcome is unknown to the client). An old writer the
//    control plane cannot reach (its host cut off both ways from every storage node) keeps
//    running as a zombie until a storage node refuses its stale epoch; it then restarts as a
//    replica by itself [P18 §2.4].
//  - a membership change [P18 §4]: a storage node that lost its disk has each of its segments
//    replaced; membership moves to quorum sets (the writer completes the change once the new
//    segment has caught up), and the new disk arrives after the cluster's `repair_delay`.
// Like the rest of the control plane, these decisions are not subject to the network's faults.
// Not modelled yet: promotion tiers, instance sizes, recreating a writer when no replica is up.
#pragma once

#include <optional>
#include <string>

#include "aurora/db/cluster.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/world.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::ops {

class control_plane {
 public:
  explicit control_plane(db::world& world) : world_(world) {}

  // The instance a failover of `target` would promote now: the named one, or the first other
  // live instance in db order; none when there is no other.
  [[nodiscard]] std::optional<std::string> failover_target(const db::cluster& target,
                                                           const failover& value) const {
    if (value.to) return value.to;
    const std::string& writer = target.control().writer;
    for (const auto& each : target.instances()) {
      if (each->name() != writer && world_.net().alive(each->id())) return each->name();
    }
    return std::nullopt;
  }

  // Fails `target` over to the instance `failover_target` names (see the file-top comment);
  // with none, records that it was impossible and changes nothing.
  void perform(db::cluster& target, const failover& value) {
    const std::optional<std::string> promoted = failover_target(target, value);
    if (!promoted) {
      record_impossible("no other instance is up");
      return;
    }
    const db::instance& old_writer = target.find_instance(target.control().writer);
    const db::instance& next_writer = target.find_instance(*promoted);
    target.designate_writer(next_writer.name());
    world_.probes().hit("failover");
    const bool restart_old =
        &old_writer != &next_writer && target.control_plane_reaches(old_writer);
    target.report_failover({old_writer.number(), next_writer.number(), restart_old});
    if (restart_old) target.reboot(old_writer);
    target.reboot(next_writer);  // a live target restarts and, being designated, recovers
    AURORA_ASSERT(target.control().writer == *promoted,
                  "a failover leaves the instance it promoted designated");
  }

  // A storage node lost its disk: each segment of `target`'s volume on it is replaced, and the
  // node comes back with a new, empty disk after the cluster's repair delay [P18 §4].
  void replace_disk(db::cluster& target, sim::participant_id node) {
    if (!target.replace_segments_on(node)) return;
    sim::network<db::message>& net = world_.net();
    world_.clock().schedule_after(target.config().repair_delay, [&net, node] {
      if (!net.alive(node)) net.restart(node);
    });
  }

 private:
  void record_impossible(const std::string& why) {
    trace::recorder& trace = world_.trace();
    if (!trace.enabled()) return;
    trace.record({world_.now(),
                  std::string(trace::kind::failover_impossible),
                  {{"reason", why}},
                  {},
                  {},
                  0});
  }

  db::world& world_;
};

}  // namespace aurora::ops
