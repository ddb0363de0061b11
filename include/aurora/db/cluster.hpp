// A cluster: one volume on the world's storage fleet, and the database instances that use it.
//
// DESIGN §3: a cluster lives on a world it does not own (sim/world.hpp), next to other clusters
// that share the world's clock, network and storage fleet (storage/fleet.hpp). It holds:
//  - its volume: `protection_groups` PGs placed on the fleet's nodes (storage/placement.hpp),
//    with its own key table (a key name means a different key in each cluster);
//  - its instances: the first writer and `replicas` read replicas, named db1, db2, ... with the
//    cluster's prefix and suffix (`main`: db1..; a green cluster: db1-green, ...);
//  - the control-plane state its data path reads: the designated writer and each PG's
//    membership (db/control_plane.hpp).
// The control plane's decisions are the operations layer's (ops/control_plane.hpp): a failover
// designates another writer and restarts instances, a destroyed disk has its segments replaced
// (membership moves to quorum sets [P18 §4]); they drive the cluster through the small public
// calls below. Clients, endpoints and the dispatch of a scenario's faults and actions are the
// operations layer's too (ops/deployment.hpp). What the instances decide goes to a
// `cluster_observer`, stamped with the time and step: the checkers keep it
// (check/fact_log.hpp), the cluster does not.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/db/control_plane.hpp"
#include "aurora/db/instance.hpp"
#include "aurora/db/instance_spec.hpp"
#include "aurora/db/limits.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/db/world.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::db {

struct cluster_config {
  std::string name = "main";
  // Instance N is named instance_prefix + "db" + N + instance_suffix: db1 in `main`, db1-green
  // in a green cluster (suffix "-green"), pitr1-db1 in a restored one (prefix "pitr1-").
  std::string instance_prefix;
  std::string instance_suffix;
  int protection_groups = 1;
  int replicas = 0;  // read replicas, at most 15
  lsn lal = 1'000;
  teaching_variant variant = teaching_variant::safe;
  sim::duration repair_delay = sim::ms(20);  // until a destroyed node's new disk is in place
  int pages_per_pg = 4;
  sim::duration batch_window = sim::us(0);  // group commit window of the writer (0: per event)
  // Placement and promotion rank of instance N at index N - 1; missing entries are defaults.
  std::vector<instance_spec> instances;

  // Instance `number`'s spec, its AZ filled in.
  [[nodiscard]] instance_spec spec(int number) const {
    instance_spec found;
    if (number >= 1 && static_cast<std::size_t>(number) <= instances.size()) {
      found = instances[number - 1];
    }
    if (found.az == 0) found.az = round_robin_az(number);
    return found;
  }
};

// The storage behaviour a teaching variant asks for (the fleet is built with it).
inline storage::storage_options storage_settings(teaching_variant variant) {
  storage::storage_options options;
  options.fence_stale_epochs = variant != teaching_variant::no_epoch_fencing;
  options.check_read_point = variant != teaching_variant::read_below_scl;
  options.check_read_truncation = variant != teaching_variant::reads_ignore_truncation;
  return options;
}

// One segment as a checker sees it.
struct segment_view {
  std::string node;
  pg_id pg = 0;
  int slot = 0;
  const storage::segment* data = nullptr;
  bool node_alive = true;
  bool hydrating = false;  // a replacement that has not caught up: not a copy yet
  std::uint32_t disk = 0;  // incarnation of the disk it lives on
};

// What a clone of a cluster's volume starts from: the source's VDL when the clone was taken,
// each PG's image at that point, and the source's key names (so that a key is the same key in
// both). `cluster::clone_point` takes it; the clone's constructor uses it.
struct clone_source {
  lsn vdl = storage::no_lsn;
  std::vector<db::fleet::pg_image> images;  // per PG
  std::vector<std::string> key_names;       // in key id order
};

// Where a cluster's instances' decisions go (the checkers' fact log), stamped.
class cluster_observer {
 public:
  virtual ~cluster_observer() = default;
  virtual void report(const facts::stamped& what) = 0;
};

class cluster final : private instance_observer {
 public:
  // Places the cluster's volume on `storage` (whose nodes are on `world`'s network), adds its
  // instances to the network and opens the empty volume with db1 as its writer. `observer`
  // (may be null) hears every decision of the instances, from this first one on.
  cluster(db::world& world, db::fleet& storage, const cluster_config& config,
          cluster_observer* observer = nullptr)
      : cluster(world, storage, config, observer, nullptr) {}

  // A fast clone [UG "Aurora cloning"]: a new volume that starts from `from` (the source's pages
  // at its VDL, `clone_point`), with instances of its own; db1 recovers it (a new epoch of the
  // new volume) and opens it at the clone point. The config must give the source's shape
  // (protection groups and pages per PG).
  cluster(db::world& world, db::fleet& storage, const cluster_config& config,
          const clone_source& from, cluster_observer* observer = nullptr)
      : cluster(world, storage, config, observer, &from) {}

  // Where a clone of this cluster taken now would start: its open writer's VDL and each PG's
  // pages at its chain tail below it, read from a segment whose complete chain holds that tail.
  // None while no writer is open, or when some PG has no such segment (the clone must wait).
  [[nodiscard]] std::optional<clone_source> clone_point() const {
    const instance& writer = find_instance(control_.writer);
    if (writer.role() != instance_role::writer) return std::nullopt;
    clone_source from;
    from.vdl = writer.vdl();
    const std::vector<lsn> tails = writer.durable_tails();
    for (pg_id pg = 0; pg < tails.size(); ++pg) {
      const storage::segment* complete = segment_complete_to(pg, tails[pg]);
      if (complete == nullptr) return std::nullopt;
      db::fleet::pg_image image{tails[pg], {}};
      for (storage::key_id key = 0; key < keys_.size(); ++key) {
        if (keys_.pg(key) != pg) continue;
        if (auto newest = complete->read(key, tails[pg])) image.pages.emplace_back(key, *newest);
      }
      from.images.push_back(std::move(image));
    }
    for (storage::key_id key = 0; key < keys_.size(); ++key)
      from.key_names.push_back(keys_.name(key));
    return from;
  }

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  [[nodiscard]] const std::string& name() const { return config_.name; }
  [[nodiscard]] const cluster_config& config() const { return config_; }
  [[nodiscard]] storage::volume_id volume() const { return volume_; }
  [[nodiscard]] const storage::key_table& keys() const { return keys_; }
  [[nodiscard]] storage::key_table& keys() { return keys_; }
  [[nodiscard]] storage::quorum_sizes quorum() const { return quorum_; }
  [[nodiscard]] const control_plane& control() const { return control_; }

  // The name of instance `number` (1: the first writer) of this cluster.
  [[nodiscard]] std::string instance_name(int number) const {
    return config_.instance_prefix + "db" + std::to_string(number) + config_.instance_suffix;
  }

  // --- endpoints ------------------------------------------------------------------------------
  // The designated writer (the cluster endpoint's target).
  [[nodiscard]] sim::participant_id writer_id() const {
    return find_instance(control_.writer).id();
  }
  // The instance the cluster endpoint named at `when` (what DNS still answers while a change
  // propagates).
  [[nodiscard]] sim::participant_id writer_id_as_of(sim::time_point when) const {
    return find_instance(control_.writer_as_of(when)).id();
  }
  // The reader endpoint's targets: every instance but the writer (the writer when there is none).
  [[nodiscard]] std::vector<sim::participant_id> reader_ids() const {
    std::vector<sim::participant_id> readers;
    for (const auto& each : instances_) {
      if (each->name() != control_.writer) readers.push_back(each->id());
    }
    if (readers.empty()) readers.push_back(writer_id());
    return readers;
  }

  // --- control plane (the operations layer decides: ops/control_plane.hpp) ------------------
  // Makes `name` the designated writer: the cluster endpoint names it from now on, and the
  // instances read it (a designated instance that restarts recovers the volume).
  void designate_writer(const std::string& name) {
    AURORA_ASSERT(has_instance(name), "only an instance of the cluster is designated the writer");
    control_.writer = name;
    control_.designations.push_back({world_.now(), name});
    wire_replicas();
    AURORA_ASSERT(control_.writer == name, "the designated writer is the one just named");
  }

  // The model's stand-in for the control plane's own network: an instance cut off both ways from
  // every storage node is on an isolated host, which the control plane cannot reach either.
  [[nodiscard]] bool control_plane_reaches(const instance& which) const {
    for (std::uint32_t index = 0; index < net_.size(); ++index) {
      const sim::participant_id node{index};
      if (net_.kind(node) != sim::role::storage) continue;
      if (!net_.blocked(which.id(), node) || !net_.blocked(node, which.id())) return true;
    }
    return false;
  }

  // Restarts a live instance: it loses its volatile state and what was sent to it, and is back
  // `downtime` later (at once by default), unless a fault stops it again meanwhile
  // (`cancel_restart`): an instance whose AZ crashed during its downtime stays down until the
  // AZ is restarted.
  void reboot(const instance& which, sim::duration downtime = {}) {
    if (!net_.alive(which.id())) return;
    trace::recorder& trace = world_.trace();
    if (trace.enabled()) {
      trace.record({world_.now(),
                    std::string(trace::kind::reboot),
                    {{"instance", which.name()}},
                    which.name(),
                    {},
                    0});
    }
    net_.crash(which.id());
    if (downtime <= sim::us(0)) return net_.restart(which.id());
    const sim::participant_id id = which.id();
    const std::uint64_t token = ++restart_tokens_;
    pending_restarts_[id.value] = token;
    world_.clock().schedule_after(downtime, [this, id, token] {
      const auto pending = pending_restarts_.find(id.value);
      if (pending == pending_restarts_.end() || pending->second != token) return;
      pending_restarts_.erase(pending);
      if (!net_.alive(id)) net_.restart(id);
    });
  }

  // A fault stopped `id` (a crash, its AZ's, a lost disk's node): a restart `reboot` scheduled
  // for it no longer happens.
  void cancel_restart(sim::participant_id id) { pending_restarts_.erase(id.value); }

  // The control plane failed the cluster over: reported to the observer like the instances'
  // decisions, stamped with the time and step.
  void report_failover(const facts::failover& what) { report(what); }

  // `node` lost its disk: each segment of this volume on it is replaced by one on the node's
  // next disk, and each PG's membership moves to quorum sets [P18 §4]. False when the node
  // hosts none of this volume's segments.
  bool replace_segments_on(sim::participant_id node) {
    bool hosted = false;
    for (pg_id pg = 0; pg < directory().size(); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (directory()[pg][slot] != node) continue;
        control_.membership[pg].replace(slot, fleet_.at(node).disk(volume_, pg));
        hosted = true;
      }
    }
    return hosted;
  }

  // True while a destroyed disk's replacement has not caught up.
  [[nodiscard]] bool replacing_a_segment() const {
    for (const storage::pg_membership& members : control_.membership) {
      if (members.changing()) return true;
    }
    return false;
  }

  // After every fault is undone: a designated writer that is not writing recovers.
  void settle() {
    instance& writer = instance_named(control_.writer);
    if (writer.role() == instance_role::replica || writer.role() == instance_role::deposed) {
      writer.start_recovery();
    }
  }

  // True when the designated writer is open for writes and every replacement has caught up.
  [[nodiscard]] bool settled() const {
    return find_instance(control_.writer).role() == instance_role::writer && !replacing_a_segment();
  }

  // --- inspection (for checkers) --------------------------------------------------------------
  [[nodiscard]] std::vector<segment_view> segments() const {
    std::vector<segment_view> views;
    for (pg_id pg = 0; pg < directory().size(); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const sim::participant_id id = directory()[pg][slot];
        const storage::storage_node<message>& node = fleet_.at(id);
        views.push_back({net_.name(id), pg, slot, node.find(volume_, pg), net_.alive(id),
                         control_.membership[pg].hydrating(slot), node.disk(volume_, pg)});
      }
    }
    return views;
  }

  [[nodiscard]] const instance& find_instance(std::string_view name) const {
    for (const auto& each : instances_) {
      if (each->name() == name) return *each;
    }
    throw usage_error("unknown instance '" + std::string(name) + "' in cluster " + config_.name);
  }
  [[nodiscard]] bool has_instance(std::string_view name) const {
    for (const auto& each : instances_) {
      if (each->name() == name) return true;
    }
    return false;
  }
  [[nodiscard]] const std::vector<std::unique_ptr<instance>>& instances() const {
    return instances_;
  }
  [[nodiscard]] const instance& writer() const { return find_instance(control_.writer); }

 private:
  static cluster_config checked(const cluster_config& config) {
    if (config.protection_groups < 1 || config.protection_groups > storage::max_protection_groups) {
      throw usage_error("protection_groups must be 1..64");
    }
    if (config.replicas < 0 || config.replicas > max_replicas) {
      throw usage_error("replicas must be 0..15");
    }
    if (config.lal < 1 || config.lal > max_lal) {
      throw usage_error("lal must be 1.." + std::to_string(max_lal));
    }
    for (std::size_t index = 0; index < config.instances.size(); ++index) {
      const instance_spec& each = config.instances[index];
      const std::string which = "instance db" + std::to_string(index + 1);
      if (static_cast<int>(index) > config.replicas) {
        throw usage_error(which + " is placed, but the cluster has only " +
                          std::to_string(1 + config.replicas) + " instances");
      }
      if (each.az != 0 && (each.az < 'a' || each.az > 'c')) {
        throw usage_error(which + ": az must be a, b or c");
      }
      if (each.tier < 0 || each.tier > max_promotion_tier) {
        throw usage_error(which + ": tier must be 0..15");
      }
      if (each.size < 1 || each.size > max_instance_size) {
        throw usage_error(which + ": size must be 1.." + std::to_string(max_instance_size));
      }
    }
    return config;
  }

  cluster(db::world& world, db::fleet& storage, const cluster_config& config,
          cluster_observer* observer, const clone_source* from)
      : world_(world),
        net_(world.net()),
        fleet_(storage),
        config_(checked(config)),
        placement_({config.protection_groups, storage.nodes_per_az(), config.pages_per_pg}),
        keys_(placement_),
        quorum_(quorum_for(config.variant)),
        volume_(from == nullptr
                    ? storage.place_volume(placement_)
                    : storage.clone_volume(placement_, from->vdl, checked_images(*from))),
        observer_(observer) {
    control_.membership.assign(config.protection_groups, storage::pg_membership{});
    control_.writer = instance_name(1);
    control_.designations.push_back({world.now(), control_.writer});
    if (from != nullptr) {
      for (const std::string& key : from->key_names) keys_.intern(key);
    }
    build_instances();
    if (from == nullptr) {
      instances_.front()->open_empty_volume();
    } else {
      instances_.front()->start_recovery();
    }
  }

  const std::vector<db::fleet::pg_image>& checked_images(const clone_source& from) const {
    if (from.images.size() != static_cast<std::size_t>(config_.protection_groups)) {
      throw usage_error("a clone has the protection groups of its source (" +
                        std::to_string(from.images.size()) + "), not " +
                        std::to_string(config_.protection_groups));
    }
    return from.images;
  }

  // A segment of `pg` whose complete chain reaches `tail` and whose base lies at or below it, so
  // that it reads every key exactly at `tail`; the first in slot order. (Unsafe variant
  // clone-from-any-segment: the first segment, complete or not.)
  [[nodiscard]] const storage::segment* segment_complete_to(pg_id pg, lsn tail) const {
    const bool any = config_.variant == teaching_variant::clone_from_any_segment;
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      const storage::segment* data = fleet_.at(directory()[pg][slot]).find(volume_, pg);
      if (data == nullptr) continue;
      if (any || (data->base_lsn() <= tail && data->holds(tail))) return data;
    }
    return nullptr;
  }

  [[nodiscard]] const storage::segment_directory& directory() const {
    return fleet_.directory(volume_);
  }

  instance_options instance_settings() const {
    instance_options options;
    options.lal = config_.lal;
    options.batch_window = config_.batch_window;
    options.ack_after_vdl = config_.variant != teaching_variant::ack_before_vdl;
    options.truncate_on_recovery = config_.variant != teaching_variant::no_truncation;
    options.reads_respect_scl = config_.variant != teaching_variant::read_below_scl;
    options.deduplicate_requests = config_.variant != teaching_variant::no_request_dedup;
    options.fenced_by_epoch = config_.variant != teaching_variant::no_epoch_fencing;
    if (config_.variant == teaching_variant::replica_above_vdl) {
      options.replica_applies = replica_apply::on_arrival;
    } else if (config_.variant == teaching_variant::replica_split_mtr) {
      options.replica_applies = replica_apply::up_to_vcl;
    }
    return options;
  }

  void build_instances() {
    for (int index = 1; index <= 1 + config_.replicas; ++index) {
      instance_observer& observer = *this;
      instances_.push_back(std::make_unique<instance>(net_, index, volume_, directory(), keys_,
                                                      control_, fleet_.metadata(), quorum_,
                                                      instance_settings(), observer));
      instances_.back()->attach(net_.add(instance_name(index), config_.spec(index).az,
                                         sim::role::instance, instances_.back().get()));
    }
    wire_replicas();
  }

  // The writer ships VDL notices to every other instance.
  void wire_replicas() {
    for (const auto& each : instances_) {
      std::vector<sim::participant_id> others;
      for (const auto& other : instances_) {
        if (other != each) others.push_back(other->id());
      }
      each->set_replicas(std::move(others));
    }
  }

  instance& instance_named(std::string_view name) {
    return const_cast<instance&>(static_cast<const cluster&>(*this).find_instance(name));
  }

  // instance_observer: stamped and passed on.
  void report(const facts::fact& what) override {
    if (observer_ != nullptr) observer_->report({world_.now(), world_.current_step(), what});
  }

  db::world& world_;
  sim::network<message>& net_;
  db::fleet& fleet_;
  cluster_config config_;
  storage::placement placement_;
  storage::key_table keys_;
  storage::quorum_sizes quorum_;
  storage::volume_id volume_;
  cluster_observer* observer_;
  control_plane control_;
  std::vector<std::unique_ptr<instance>> instances_;
  // Restarts `reboot` scheduled after a downtime, by participant: the latest one's token.
  std::map<std::uint32_t, std::uint64_t> pending_restarts_;
  std::uint64_t restart_tokens_ = 0;
};

}  // namespace aurora::db
