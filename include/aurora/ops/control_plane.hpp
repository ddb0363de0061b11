// The control plane: the decisions that change a cluster's metadata, made outside the data path.
//
// DESIGN §3, the operations layer. Aurora keeps volume metadata — which instance is the writer,
// each protection group's membership, the volume epoch — in services of its own, not on the
// data path [P18 §2.4, §4]. In the model the *state* lives where the data path reads it: the
// designated writer and each PG's membership in the cluster (db/control_plane.hpp, which every
// instance of the cluster reads), the volume epochs in the storage metadata service
// (storage/metadata_service.hpp, owned by the fleet; every recovery takes the next epoch). The
// *decisions* are made here, and drive the cluster through its public calls:
//  - failover [UG]: promote the named instance, or the live replica first in promotion order
//    (tier 0 first, then the largest, then the lowest number: db/instance_spec.hpp); as since
//    Aurora MySQL 2.10, only the old writer and the target restart. The old writer stops serving
//    as the writer at once and comes back as a replica; the target comes back recovering the
//    volume [P17 §4.3] with the next volume epoch. Transactions in flight on the old writer get
//    no answer (their outcome is unknown to the client). An old writer the control plane cannot
//    reach (its host cut off both ways from every storage node) keeps running as a zombie until
//    a storage node refuses its stale epoch; it then restarts as a replica by itself [P18 §2.4].
//  - detection (`failover_policy::automatic`, the default): after every fault, if a cluster's
//    designated writer is down (crashed, or its AZ lost), the control plane looks again
//    `detection` later; if the same life of the writer is still down, it fails over — or, with
//    no live replica, recreates the writer `recreate` after that (Aurora brings up a new
//    instance; the model restarts the old one, which then recovers the volume). With
//    `failover_policy::manual` only a `failover` step changes the writer.
//  - a membership change [P18 §4]: a storage node that lost its disk has each of its segments
//    replaced; membership moves to quorum sets (the writer completes the change once the new
//    segment has caught up), and the new disk arrives after the cluster's `repair_delay`.
// Like the rest of the control plane, these decisions are not subject to the network's faults.
// Every timing is a setting (ops::failover_timing) with its default and its source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aurora/db/cluster.hpp"
#include "aurora/db/instance_spec.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/world.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::ops {

enum class failover_policy : std::uint8_t { automatic, manual };

// How long the control plane's own steps take (docs/scenario-language.md lists them as config
// keys). The user guide gives only totals: service back "in under 60 seconds, often under 30"
// with a replica, and "less than 10 minutes" when the writer must be recreated [UG]; the parts
// below are the model's split of them.
struct failover_timing {
  failover_policy policy = failover_policy::automatic;
  // From the writer's loss to the control plane's decision (health checks).
  sim::duration detection = sim::s(10);
  // From a failover's decision until the promoted instance is up again (it restarts, then
  // recovers the volume, which takes the model milliseconds). Default none: the model's split of
  // the user guide's total puts it all in `detection`.
  sim::duration promotion{};
  // With no replica to promote: until the recreated writer starts (it then recovers the volume).
  sim::duration recreate = sim::s(5 * 60);
};

class control_plane {
 public:
  explicit control_plane(db::world& world, failover_timing timing = {})
      : world_(world), timing_(timing) {}

  [[nodiscard]] const failover_timing& timing() const { return timing_; }

  // The instance a failover of `target` would promote now: the named one, or the live instance
  // other than the writer that comes first in promotion order (tier, then size, then number);
  // none when there is no other.
  [[nodiscard]] std::optional<std::string> failover_target(const db::cluster& target,
                                                           const failover& value) const {
    if (value.to) return value.to;
    const std::string& writer = target.control().writer;
    const db::instance* best = nullptr;
    for (const auto& each : target.instances()) {
      if (each->name() == writer || !world_.net().alive(each->id())) continue;
      if (best == nullptr || promoted_before(target, *each, *best)) best = each.get();
    }
    if (best == nullptr) return std::nullopt;
    return best->name();
  }

  // After a fault: if `target`'s designated writer is down, look again after the detection time
  // (automatic policy only). A writer that is back by then, or that went down and up again (a
  // new life), is not failed over.
  void watch(db::cluster& target) {
    if (timing_.policy != failover_policy::automatic) return;
    sim::network<db::message>& net = world_.net();
    const sim::participant_id writer = target.writer_id();
    if (net.alive(writer)) return;
    const std::uint32_t life = net.incarnation(writer);
    world_.clock().schedule_after(timing_.detection,
                                  [this, &target, writer, life] { detect(target, writer, life); });
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
    // A crashed old writer has nothing to restart (it recovers as a replica when it comes back).
    const bool reachable = &old_writer != &next_writer && world_.net().alive(old_writer.id()) &&
                           target.control_plane_reaches(old_writer);
    target.report_failover({old_writer.number(), next_writer.number(), reachable});
    // Unsafe variant no-demotion: the old writer is left running as a writer.
    const bool demote = target.config().variant != db::teaching_variant::no_demotion;
    if (reachable && demote) target.reboot(old_writer);
    // A live target restarts (after `promotion`) and, being designated, recovers.
    target.reboot(next_writer, timing_.promotion);
    AURORA_ASSERT(target.control().writer == *promoted,
                  "a failover leaves the instance it promoted designated");
  }

  // True when `left` is promoted before `right` (db/instance_spec.hpp).
  static bool promoted_before(const db::cluster& target, const db::instance& left,
                              const db::instance& right) {
    return db::promoted_before(target.config().spec(left.number()), left.number(),
                               target.config().spec(right.number()), right.number());
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
  // `detection` after the writer went down: still the same life, still down, still designated.
  void detect(db::cluster& target, sim::participant_id writer, std::uint32_t life) {
    sim::network<db::message>& net = world_.net();
    if (net.alive(writer) || net.incarnation(writer) != life) return;
    if (target.writer_id() != writer) return;  // someone failed it over already
    world_.probes().hit("the control plane detected a lost writer");
    if (failover_target(target, failover{})) {
      record_decision(target, "failover", "the writer is down");
      perform(target, failover{});
      return;
    }
    record_decision(target, "recreate", "the writer is down and no replica is up");
    world_.clock().schedule_after(
        timing_.recreate, [this, &target, writer, life] { recreate(target, writer, life); });
  }

  // Brings the lost writer back, unless it came back (or was replaced) meanwhile.
  void recreate(db::cluster& target, sim::participant_id writer, std::uint32_t life) {
    sim::network<db::message>& net = world_.net();
    if (net.alive(writer) || net.incarnation(writer) != life) return;
    if (target.writer_id() != writer) return;
    world_.probes().hit("the control plane recreated a writer");
    record_decision(target, "recreated", "the writer is back; it recovers the volume");
    net.restart(writer);  // designated: it recovers the volume
  }

  void record_decision(const db::cluster& target, std::string_view decision, std::string_view why) {
    trace::recorder& trace = world_.trace();
    if (!trace.enabled()) return;
    trace.record({world_.now(),
                  std::string(trace::kind::control_plane),
                  {{"cluster", target.name()},
                   {"decision", std::string(decision)},
                   {"reason", std::string(why)}},
                  target.control().writer,
                  {},
                  0});
  }

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
  failover_timing timing_;
};

}  // namespace aurora::ops
