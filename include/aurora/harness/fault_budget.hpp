// Fault profiles: which faults stay inside the model's claim of safety.
//
// The safety claim of [P17 §2.1] is bounded: a protection group tolerates the loss of an AZ plus
// one more segment (AZ+1) — at most 3 of its 6 segments at a time — and a lost disk must be
// repaired before the next one is lost (the repair window, ~10 s for a 10 GB segment [P17 §2.2]).
// A property that claims safety must keep its faults inside that bound; a property that goes
// beyond it may only claim that the model stalls instead of losing acknowledged data.
//  - `safe`: a fault is applied only if, afterwards, every PG has at most 3 segments lost, where
//    a segment is lost while its node is down, cut off from the writer by a partition, or a
//    replacement still hydrating; and a disk is destroyed only when none of its PGs is already
//    repairing one.
//  - `beyond`: anything but destroying disks (crashes, AZ outages, partitions: all of which heal,
//    so acknowledged data must survive them however many segments they take).
// The check runs against the cluster's real state at the moment the fault would apply.
// How each fault counts against the writer (the instance that will be the writer once the fault
// applies: a failover's target, named or the one the model picks) is its `budget_rule` in the
// vocabulary (vocabulary.hpp):
//  - a crash of a node or an AZ, or a destroyed disk, takes those nodes;
//  - a partition takes the storage nodes on the other side from the writer, both ways or one way
//    in either direction (a write needs the request to arrive and the ack to come back); a
//    partition that leaves the writer out (storage from storage, a replica from storage) takes
//    nothing from it: it only blocks gossip or the replica's reads, until a failover makes that
//    replica the writer, which is then judged with everything it is cut off from;
//  - message loss, duplication and delay, slow nodes, restarts and heal take nothing.
// Nothing here counts instances: a crashed or cut-off writer stalls the cluster, it loses no
// segment copy.
#pragma once

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "aurora/harness/runner.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"

namespace aurora::harness {

enum class fault_profile { safe, beyond };

inline constexpr int tolerated_losses_per_pg = 3;  // AZ+1 [P17 §2.1]

namespace detail {

// Storage nodes the writer `writer` cannot talk to (either way).
inline std::set<std::string> cut_off_from(const ops::deployment& model,
                                          sim::participant_id writer) {
  std::set<std::string> cut;
  const auto& net = model.network();
  for (std::uint32_t index = 0; index < net.size(); ++index) {
    const sim::participant_id node{index};
    if (net.kind(node) != sim::role::storage) continue;
    if (net.blocked(writer, node) || net.blocked(node, writer)) cut.insert(net.name(node));
  }
  return cut;
}

// The storage nodes among `ids`.
inline std::set<std::string> storage_among(const ops::deployment& model,
                                           const std::vector<sim::participant_id>& ids) {
  std::set<std::string> names;
  for (sim::participant_id id : ids) {
    if (model.network().kind(id) == sim::role::storage) names.insert(model.network().name(id));
  }
  return names;
}

// The storage nodes on the other side of a partition from the writer `writer`, either way.
inline std::set<std::string> far_side(const ops::deployment& model, const sim::partition& cut,
                                      sim::participant_id writer) {
  const std::vector<sim::participant_id> left = model.network().resolve(cut.left);
  const std::vector<sim::participant_id> right = model.network().resolve(cut.right);
  std::set<std::string> taken;
  if (std::find(left.begin(), left.end(), writer) != left.end()) {
    taken = storage_among(model, right);
  }
  if (std::find(right.begin(), right.end(), writer) != right.end()) {
    taken.merge(storage_among(model, left));
  }
  return taken;
}

// The storage nodes a fault would take away from the writer `writer`, by its budget rule in the
// vocabulary (vocabulary.hpp).
inline std::set<std::string> nodes_taken(const ops::deployment& model, const sim::fault& value,
                                         sim::participant_id writer) {
  switch (verb_of(value).budget) {
    case budget_rule::takes_named_nodes:
      return storage_among(model, model.network().resolve(std::get<sim::crash>(value).what));
    case budget_rule::destroys_disk: return {std::get<sim::destroy>(value).node};
    case budget_rule::takes_far_side:
      return far_side(model, std::get<sim::partition>(value), writer);
    case budget_rule::none:
    case budget_rule::takes_nothing:
    case budget_rule::promotes: break;
  }
  return {};
}

// The instance that is the writer once a failover applies: its target (the named one, or the
// one `ops::control_plane` picks: the first other live instance in db order; none: no change).
inline sim::participant_id writer_after(const ops::deployment& model, const ops::action& value) {
  const auto& promote = std::get<ops::failover>(value);
  const std::optional<std::string> target = model.failover_target(promote);
  return target ? model.find_instance(*target).id() : model.writer().id();
}

// True when, with `writer` the writer, no PG has more than `tolerated_losses_per_pg` segments
// lost (its nodes down, cut off from the writer, taken by `taken`, or hydrating), and `destroyed`
// (if any) is no disk of a PG already repairing one.
inline bool losses_within_bound(const ops::deployment& model, sim::participant_id writer,
                                const std::set<std::string>& taken, const sim::destroy* destroyed) {
  std::set<std::string> lost = cut_off_from(model, writer);
  lost.insert(taken.begin(), taken.end());
  for (const db::segment_view& segment : model.segments()) {
    if (!segment.node_alive) lost.insert(segment.node);
  }
  for (storage::pg_id pg = 0; pg < model.control().membership.size(); ++pg) {
    int lost_here = 0;
    for (const db::segment_view& segment : model.segments()) {
      if (segment.pg != pg) continue;
      if (lost.count(segment.node) != 0 || segment.hydrating) ++lost_here;
      const bool repairing = model.control().membership[pg].changing();
      if (destroyed != nullptr && repairing && segment.node == destroyed->node) return false;
    }
    if (lost_here > tolerated_losses_per_pg) return false;
  }
  return true;
}

}  // namespace detail

// True when applying the fault `value` now keeps the run inside `profile`.
inline bool within_profile(const ops::deployment& model, const sim::fault& value,
                           fault_profile profile) {
  const auto* destroyed = std::get_if<sim::destroy>(&value);
  const bool destroys = verb_of(value).budget == budget_rule::destroys_disk;
  if (profile == fault_profile::beyond) return !destroys;
  const sim::participant_id writer = model.writer().id();
  return detail::losses_within_bound(model, writer, detail::nodes_taken(model, value, writer),
                                     destroyed);
}

// True when performing the action `value` now keeps the run inside `profile`: a failover is
// judged by the instance it promotes, with everything that instance is cut off from.
inline bool within_profile(const ops::deployment& model, const ops::action& value,
                           fault_profile profile) {
  if (profile == fault_profile::beyond) return true;
  AURORA_ASSERT(verb_of(value).budget == budget_rule::promotes,
                "the only action so far, failover, is judged by the instance it promotes");
  return detail::losses_within_bound(model, detail::writer_after(model, value), {}, nullptr);
}

// A step's fault or action (client operations are always inside every profile).
inline bool within_profile(const ops::deployment& model, const action& value,
                           fault_profile profile) {
  if (const auto* fault = std::get_if<sim::fault>(&value)) {
    return within_profile(model, *fault, profile);
  }
  if (const auto* operation = std::get_if<ops::action>(&value)) {
    return within_profile(model, *operation, profile);
  }
  return true;
}

// Performs `next` on the runner, unless it is a fault outside `profile`, judged against the
// model as the previous step left it (time between steps only heals: a replacement hydrates, a
// repaired node returns). Performed steps are appended to `performed`, and the model runs only
// inside the runner, so replaying `performed` makes the very same calls. This is how both the
// fault properties and `aurora-harness explore` build their scenarios. Returns false when the
// fault was left out.
inline bool perform_within_profile(runner& run, scenario& performed, const step& next,
                                   fault_profile profile) {
  if (!within_profile(run.model(), next.what, profile)) return false;
  const int index = static_cast<int>(performed.steps.size());
  performed.steps.push_back(next);
  run.perform_now(index, performed.steps.back());
  return true;
}

}  // namespace aurora::harness
