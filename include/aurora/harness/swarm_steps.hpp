// One step of swarm exploration, by kind: which storage node, AZ or instance a fault hits, the
// partitions (`partition`, `storage-partition`, `instance-partition`, `split`), message faults,
// failover, and the client operations with their keys.
//
// The kinds (`explore_kind`, by their names in the mix's description): `write` and `read`
// (always on; keys x, y, z and a key for every protection group they miss; reads through the
// writer, the reader endpoint or a named instance; each operation's client, of c1..c16, is one
// that is idle then, so it starts when the scenario says), `node`, `az` and `instance` (a crash
// or a restart), `destroy`, `partition` (a node or AZ cut off from everything, both ways or one
// way in either direction), `storage-partition` (from the other storage nodes only: gossip, not
// the instances), `instance-partition` (an instance, mostly the writer, from all, all but one,
// the focus or one AZ of the storage nodes), `split` (an instance whose storage traffic reaches
// only 0-2 nodes, themselves cut off from the rest: the old writer's last write stranded on one
// segment), `heal`, `loss`, `duplicate`, `delay`, `slow` (a node or an instance, or back to
// 0us), `failover` (to the next instance or a named one), and `burst` (a failover, destroyed
// disk, instance or AZ crash, then 1-2 faults of the enabled kinds at the same instant, during
// the recovery it starts, or while the replacement hydrates). Every name comes from the
// configuration (`storage_node_names`, `instance_names`).
// Each draw is a template on a draw source (draw_source.hpp), so that explore (sim::random) and
// the fault properties (rapidcheck's shrinkable draws) run the very same generator.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/explore_mix.hpp"
#include "aurora/harness/language_generator.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"

namespace aurora::harness::detail {

// A storage node: mostly one of the seed's focus nodes, so that faults meet.
template <class source>
std::string draw_node(source& draw, const fault_mix& mix, const swarm_names& names) {
  if (mix.focus.empty() || draw.percent(100 - explore_limits::focus_percent)) {
    return pick(draw, names.nodes);
  }
  return pick(draw, mix.focus);
}

template <class source>
std::string draw_az(source& draw) {
  return language::draw_az(draw);  // one draw of three, as any AZ the language generator draws
}

// The writer (as the generator believes) two times in three, else any instance.
template <class source>
std::string draw_instance(source& draw, const swarm_names& names) {
  if (draw.percent(33)) return pick(draw, names.instances);
  return names.instances[names.writer];
}

// A replica two times in three (when there is one), else any instance.
template <class source>
std::string draw_replica(source& draw, const swarm_names& names) {
  std::vector<std::string> replicas;
  for (std::size_t index = 0; index < names.instances.size(); ++index) {
    if (index != names.writer) replicas.push_back(names.instances[index]);
  }
  if (replicas.empty() || draw.percent(33)) return pick(draw, names.instances);
  return pick(draw, replicas);
}

inline std::vector<sim::target> as_targets(const std::vector<std::string>& names) {
  std::vector<sim::target> targets;
  for (const std::string& each : names) targets.push_back({each, false});
  return targets;
}

// Both ways half the time, else one way in either direction (`left -> right`, `right -> left`).
template <class source>
sim::partition draw_direction(source& draw, std::vector<sim::target> left,
                              std::vector<sim::target> right) {
  const std::uint64_t way = draw.below(4);
  if (way < 2) return {std::move(left), std::move(right), false};
  if (way == 2) return {std::move(left), std::move(right), true};
  return {std::move(right), std::move(left), true};
}

// The storage nodes of AZ `az` (its first letter), as partition members.
inline std::vector<sim::target> storage_of_az(const swarm_names& names, const std::string& az,
                                              bool inside) {
  std::vector<sim::target> members;
  for (const std::string& node : names.nodes) {
    if ((node.substr(0, 1) == az) == inside) members.push_back({node, false});
  }
  return members;
}

// `partition`: a node cut off from every other node and instance, or a whole AZ (its storage
// nodes and instances) from the other two.
template <class source>
sim::partition draw_isolation(source& draw, const fault_mix& mix, const swarm_names& names) {
  if (draw.percent(50)) {
    const std::string az = draw_az(draw);
    std::vector<sim::target> rest;
    for (const char* other : {"a", "b", "c"}) {
      if (az != other) rest.push_back({other, true});
    }
    return draw_direction(draw, {{az, true}}, std::move(rest));
  }
  const std::string node = draw_node(draw, mix, names);
  std::vector<sim::target> rest;
  for (const std::string& other : names.nodes) {
    if (other != node) rest.push_back({other, false});
  }
  for (const std::string& instance : names.instances) rest.push_back({instance, false});
  return draw_direction(draw, {{node, false}}, std::move(rest));
}

// `split`: an instance's storage traffic reaches only 0-2 storage nodes (mostly focus nodes),
// and those nodes are cut off from the rest of the storage and from the other instances, while
// the instance still talks to the other instances: a host whose route to most of the storage
// fleet broke. Two partitions, applied together: `I | S\F` (or one way) and `F | S\F, I'`.
// With the old writer as I, its last write lands on F alone and F misses the next writer's
// recovery; with no node, I is cut off from all storage (the control plane cannot reach it
// either).
template <class source>
std::vector<sim::partition> draw_split(source& draw, const fault_mix& mix,
                                       const swarm_names& names) {
  const std::string instance = draw_instance(draw, names);
  std::vector<std::string> kept;  // F
  const int count = draw_int(draw, 0, 2);
  for (int index = 0; index < count; ++index) {
    const std::string node = draw_node(draw, mix, names);
    if (std::find(kept.begin(), kept.end(), node) == kept.end()) kept.push_back(node);
  }
  std::vector<sim::target> far;  // S \ F
  for (const std::string& node : names.nodes) {
    if (std::find(kept.begin(), kept.end(), node) == kept.end()) far.push_back({node, false});
  }
  std::vector<sim::partition> cuts{draw_direction(draw, {{instance, false}}, far)};
  if (kept.empty()) return cuts;
  std::vector<sim::target> rest = far;
  for (const std::string& other : names.instances) {
    if (other != instance) rest.push_back({other, false});
  }
  cuts.push_back({as_targets(kept), std::move(rest), false});
  return cuts;
}

// `storage-partition`: a node or an AZ's storage nodes cut off from the other storage nodes, not
// from instances (so never `az X`, which holds instances too).
template <class source>
sim::partition draw_storage_partition(source& draw, const fault_mix& mix,
                                      const swarm_names& names) {
  if (draw.percent(50)) {
    const std::string az = draw_az(draw);
    return draw_direction(draw, storage_of_az(names, az, true), storage_of_az(names, az, false));
  }
  const std::string node = draw_node(draw, mix, names);
  std::vector<sim::target> rest;
  for (const std::string& other : names.nodes) {
    if (other != node) rest.push_back({other, false});
  }
  return draw_direction(draw, {{node, false}}, std::move(rest));
}

// The storage nodes an instance is cut off from: all of them, all but one focus node (which
// then alone hears the instance), the focus nodes, or one AZ's.
template <class source>
std::vector<sim::target> draw_storage_set(source& draw, const fault_mix& mix,
                                          const swarm_names& names) {
  switch (draw.below(4)) {
    case 0: return as_targets(names.nodes);
    case 1: {
      const std::string spared = pick(draw, mix.focus.empty() ? names.nodes : mix.focus);
      std::vector<std::string> rest;
      for (const std::string& node : names.nodes) {
        if (node != spared) rest.push_back(node);
      }
      return as_targets(rest);
    }
    case 2: return as_targets(mix.focus.empty() ? names.nodes : mix.focus);
    default: return storage_of_az(names, draw_az(draw), true);  // not `az X`: no instances
  }
}

// `instance-partition`: the writer or a replica cut off from some or all storage nodes.
template <class source>
sim::partition draw_instance_partition(source& draw, const fault_mix& mix,
                                       const swarm_names& names) {
  const std::string instance = draw_instance(draw, names);
  std::vector<sim::target> storage = draw_storage_set(draw, mix, names);
  return draw_direction(draw, {{instance, false}}, std::move(storage));
}

// `slow`: a node (mostly a focus node) or an instance, at the seed's slowness two times in
// three, else back to normal (like the other message faults, which switch on at the seed's
// intensity two times in three, else off).
template <class source>
sim::fault draw_slow(source& draw, const fault_mix& mix, const swarm_names& names) {
  const std::string who =
      draw.percent(25) ? pick(draw, names.instances) : draw_node(draw, mix, names);
  return sim::slow{who, draw.percent(33) ? sim::us(0) : mix.slow_extra};
}

template <class source>
ops::action draw_failover(source& draw, const swarm_names& names) {
  if (!draw.percent(25)) return ops::failover{};
  return ops::failover{pick(draw, names.instances)};
}

// A key by the workload's weights (uniform when the mix has none for these keys).
template <class source>
const std::string& draw_key(source& draw, const std::vector<int>& weights,
                            const swarm_names& names) {
  int total = 0;
  if (weights.size() == names.keys.size()) {
    for (const int each : weights) total += each;
  }
  if (total == 0) return pick(draw, names.keys);
  auto left = static_cast<int>(draw.below(static_cast<std::uint64_t>(total)));
  for (std::size_t index = 0; index < weights.size(); ++index) {
    left -= weights[index];
    if (left < 0) return names.keys[index];
  }
  return names.keys.back();
}

// How many keys a write transaction writes: 1 (40%), 2 (30%), 3 (20%) or 4 (10%), at most
// `limit` (1 is what shrinking reaches).
template <class source>
std::size_t draw_key_count(source& draw, std::size_t limit) {
  const std::uint64_t band = draw.below(10);
  const std::size_t count = band < 4 ? 1 : band < 7 ? 2 : band < 9 ? 3 : 4;
  return std::max<std::size_t>(1, std::min(count, limit));
}

// Adds `count` distinct keys to `write` (after those it has), from `allowed` (indexes into
// `names.keys`): each one, with `spread_percent`, in a protection group the write has not reached
// yet when there is one, else any key not yet written.
template <class source>
void add_keys(source& draw, const swarm_names& names, const std::vector<std::size_t>& allowed,
              std::size_t count, write_op& write) {
  auto written = [&write, &names](std::size_t key) {
    return std::any_of(write.puts.begin(), write.puts.end(),
                       [&](const auto& put) { return put.first == names.keys[key]; });
  };
  auto reached = [&write, &names](storage::pg_id pg) {
    return std::any_of(write.puts.begin(), write.puts.end(), [&](const auto& put) {
      const auto at = std::find(names.keys.begin(), names.keys.end(), put.first);
      return at != names.keys.end() &&
             names.key_pgs[static_cast<std::size_t>(at - names.keys.begin())] == pg;
    });
  };
  for (std::size_t added = 0; added < count; ++added) {
    std::vector<std::size_t> left, elsewhere;
    for (const std::size_t key : allowed) {
      if (written(key)) continue;
      left.push_back(key);
      if (!reached(names.key_pgs[key])) elsewhere.push_back(key);
    }
    if (left.empty()) return;
    const bool spread = !elsewhere.empty() && !write.puts.empty() &&
                        elsewhere.size() < left.size() &&
                        draw.percent(explore_limits::spread_percent);
    const std::size_t key = pick(draw, spread ? elsewhere : left);
    write.puts.emplace_back(names.keys[key], draw.uniform(1, 100));
  }
}

// A transaction of 1 to the mix's `keys_per_write` distinct keys (`draw_key_count`; at most
// LAL): the first by the workload's write weights, the others spread over the protection groups
// (`add_keys`).
template <class source>
write_op draw_write(source& draw, const fault_mix& mix, const swarm_names& names) {
  write_op write;
  const std::size_t count =
      draw_key_count(draw, std::min(names.max_keys, static_cast<std::size_t>(mix.keys_per_write)));
  write.puts.emplace_back(draw_key(draw, mix.write_weights, names), draw.uniform(1, 100));
  std::vector<std::size_t> every(names.keys.size());
  for (std::size_t index = 0; index < every.size(); ++index) every[index] = index;
  add_keys(draw, names, every, count - 1, write);
  // Only mixes with held writes draw here, so the others keep their draws.
  if (mix.hold_percent > 0 && draw.percent(mix.hold_percent)) {
    write.hold = sim::us(draw.uniform(1, mix.max_hold.count_us()));
  }
  return write;
}

// Through the writer endpoint, or with the mix's `replica_read_percent` chance through the
// reader endpoint or a named instance (mostly a replica), half of those each.
template <class source>
read_op draw_read(source& draw, const fault_mix& mix, const swarm_names& names) {
  read_op read{draw_key(draw, mix.read_weights, names), {}};
  if (!draw.percent(mix.replica_read_percent)) return read;
  read.from = draw.percent(50) ? ops::endpoint::reader()
                               : ops::endpoint::instance(draw_replica(draw, names));
  return read;
}

template <class source>
sim::fault crash_or_restart(source& draw, sim::target what) {
  if (draw.percent(50)) return sim::restart{std::move(what)};
  return sim::crash{std::move(what)};
}

// A fault of the world, or (`failover`) an action of the control plane.
template <class source>
action draw_fault(source& draw, explore_kind kind, const fault_mix& mix, const swarm_names& names) {
  switch (kind) {
    case explore_kind::node: return crash_or_restart(draw, {draw_node(draw, mix, names), false});
    case explore_kind::az: return crash_or_restart(draw, {draw_az(draw), true});
    case explore_kind::destroy: return sim::destroy{draw_node(draw, mix, names)};
    case explore_kind::partition: return draw_isolation(draw, mix, names);
    case explore_kind::storage_partition: return draw_storage_partition(draw, mix, names);
    case explore_kind::instance_partition: return draw_instance_partition(draw, mix, names);
    case explore_kind::heal: return sim::heal{};
    case explore_kind::loss: return sim::message_loss{draw.percent(33) ? 0 : mix.loss_percent};
    case explore_kind::duplicate:
      return sim::message_duplication{draw.percent(33) ? 0 : mix.duplicate_percent};
    case explore_kind::delay:
      if (draw.percent(33)) return sim::message_delay{0, sim::us(0)};
      return sim::message_delay{mix.delay_percent, mix.delay_extra};
    case explore_kind::slow: return draw_slow(draw, mix, names);
    case explore_kind::instance: {
      const std::string who =
          names.recovering ? draw_instance(draw, names) : pick(draw, names.instances);
      return crash_or_restart(draw, {who, false});
    }
    case explore_kind::failover: return draw_failover(draw, names);
    case explore_kind::write:
    case explore_kind::read:
    case explore_kind::split:
    case explore_kind::burst: break;
  }
  AURORA_ASSERT(false, "draw_fault makes faults and actions only");
  return sim::fault{sim::heal{}};
}

template <class source>
step draw_one(source& draw, explore_kind kind, const fault_mix& mix, const swarm_names& names) {
  step made;
  if (kind == explore_kind::write) made.what = draw_write(draw, mix, names);
  if (kind == explore_kind::read) made.what = draw_read(draw, mix, names);
  if (!is_client_kind(kind)) made.what = draw_fault(draw, kind, mix, names);
  return made;  // the client is chosen by `draw_clients`, which knows who is busy
}

}  // namespace aurora::harness::detail
