// The deployment's entry points (ops/deployment.hpp): building and destroying a deployment,
// client operations, faults and settling. Defined here so that the compiled mode (config.hpp)
// compiles everything they reach (clusters, instances, storage nodes, the network) once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/ops/deployment.hpp"

namespace aurora::ops {

AURORA_DECL deployment::deployment(db::world& world, const setup& config,
                                   db::cluster_observer* observer)
    : world_(world),
      setup_(checked(config)),
      control_plane_(world, config.failover),
      fleet_(world.net(), config.nodes_per_az, db::storage_settings(config.variant)),
      history_(world.trace()) {
  clusters_.push_back(std::make_unique<db::cluster>(world_, fleet_, setup_.main(), observer));
}

// Out of line, so that destroying the clusters (their instances and storage) is compiled here.
AURORA_DECL deployment::~deployment() = default;

AURORA_DECL db::cluster& deployment::add_cluster(const db::cluster_config& config,
                                                 db::cluster_observer* observer) {
  if (find_cluster(config.name) != nullptr) {
    throw usage_error("a cluster named '" + config.name + "' exists already");
  }
  clusters_.push_back(std::make_unique<db::cluster>(world_, fleet_, config, observer));
  return *clusters_.back();
}

AURORA_DECL void deployment::write(std::string_view client_name,
                                   const std::vector<std::pair<std::string, std::int64_t>>& puts,
                                   done_callback done, std::string_view on, const endpoint& to,
                                   sim::duration hold) {
  db::cluster& target = cluster(on);
  if (to.is_reader()) throw usage_error("a write goes to the cluster endpoint or an instance's");
  if (to.is_instance()) (void)target.find_instance(to.instance_name());  // unknown: usage error
  operation op;
  op.kind = op_kind::write;
  op.cluster = target.name();
  if (hold < sim::us(0)) throw usage_error("a write's hold must not be negative");
  op.from = to;
  op.hold = hold;
  for (const auto& [key, value] : puts) op.puts.emplace_back(target.keys().intern(key), value);
  client& by = find_client(client_name);
  by.start(std::move(op), target.keys(), router(target, to, by), std::move(done));
}

AURORA_DECL void deployment::read(std::string_view client_name, std::string_view key,
                                  const endpoint& from, done_callback done, std::string_view on) {
  db::cluster& target = cluster(on);
  if (from.is_instance()) (void)target.find_instance(from.instance_name());  // unknown: usage error
  operation op;
  op.kind = op_kind::read;
  op.cluster = target.name();
  op.key = target.keys().intern(key);
  op.from = from;
  client& by = find_client(client_name);
  by.start(std::move(op), target.keys(), router(target, from, by), std::move(done));
}

AURORA_DECL deployment::cluster_proxy& deployment::proxy_of(const db::cluster& target) {
  for (const auto& each : proxies_) {
    if (each->target == &target) return *each;
  }
  auto made = std::make_unique<cluster_proxy>();
  made->target = &target;
  const std::string prefix = &target == &main() ? "proxy-" : target.name() + "-proxy-";
  for (const char az : {'a', 'b', 'c'}) {
    made->nodes.push_back(std::make_unique<proxy_node>(
        world_.net(), target, setup_.proxy,
        [readers = router(target, endpoint::reader()), this] { return readers(now()); }));
    made->nodes.back()->attach(
        world_.net().add(prefix + az, az, sim::role::service, made->nodes.back().get()));
  }
  proxies_.push_back(std::move(made));
  return *proxies_.back();
}

AURORA_DECL client& deployment::find_client(std::string_view name) {
  auto found = clients_.find(name);
  if (found != clients_.end()) return *found->second;
  const std::string key(name);
  const auto options = setup_.clients.find(name);
  auto made = std::make_unique<client>(
      world_.net(), key, history_, setup_.op_timeout,
      options == setup_.clients.end() ? client_options{} : options->second, setup_.dns);
  made->attach(world_.net().add("client-" + key, 0, sim::role::client, made.get()));
  return *clients_.emplace(key, std::move(made)).first->second;
}

AURORA_DECL db::cluster* deployment::clone_cluster(std::string_view source,
                                                   db::cluster_config config,
                                                   db::cluster_observer* observer) {
  const db::cluster& from = cluster(source);
  if (find_cluster(config.name) != nullptr) {
    throw usage_error("a cluster named '" + config.name + "' exists already");
  }
  const std::optional<db::clone_source> point = from.clone_point();
  if (!point) return nullptr;
  config.protection_groups = from.config().protection_groups;
  config.pages_per_pg = from.config().pages_per_pg;
  config.variant = from.config().variant;
  clusters_.push_back(std::make_unique<db::cluster>(world_, fleet_, config, *point, observer));
  return clusters_.back().get();
}

AURORA_DECL db::cluster* deployment::clone(const ops::clone& value,
                                           db::cluster_observer* observer) {
  db::cluster_config config = setup_.main();
  config.name = value.name;
  config.instance_prefix = value.name + "-";
  config.replicas = 0;
  config.instances.clear();
  const std::string writer = config.instance_prefix + "db1";
  record_action(to_string(value), {});
  const storage::lsn point = main().writer().vdl();
  db::cluster* made = clone_cluster("main", std::move(config), observer);
  if (made == nullptr) {
    record_decision(value.name, "clone-refused",
                    "main has no open writer to take a clone point from");
    return nullptr;
  }
  const int number = ++clones_of_["main"];
  world_.probes().hit("a clone was taken");
  record_decision(value.name,
                  number <= copy_on_write_clones ? "clone-copy-on-write" : "clone-full-copy",
                  "clone " + std::to_string(number) + " of main, at VDL " + std::to_string(point) +
                      "; its writer is " + writer);
  return made;
}

AURORA_DECL void deployment::apply(const sim::fault& value) {
  note_fault_while_hydrating();
  const auto* lost = std::get_if<sim::destroy>(&value);
  if (lost != nullptr && world_.net().kind(world_.net().find(lost->node)) != sim::role::storage) {
    throw usage_error("destroy: '" + lost->node + "' is not a storage node");
  }
  world_.net().apply(value);
  if (const auto* down = std::get_if<sim::crash>(&value)) {
    for (const sim::participant_id id : world_.net().resolve(down->what)) {
      for (const auto& each : clusters_) each->cancel_restart(id);
    }
  }
  for (const auto& each : clusters_) control_plane_.watch(*each);
  if (lost == nullptr) return;
  const sim::participant_id node = world_.net().find(lost->node);
  for (const auto& each : clusters_) control_plane_.replace_disk(*each, node);
}

AURORA_DECL void deployment::apply(const action& value) {
  note_fault_while_hydrating();
  std::visit([this](const auto& each) { perform(each); }, value);
}

AURORA_DECL void deployment::failover(const std::optional<std::string>& to) {
  control_plane_.perform(main(), ops::failover{to});
}

AURORA_DECL void deployment::settle() {
  sim::network<db::message>& net = world_.net();
  net.heal();
  net.clear_az_outages();
  net.set_loss_percent(0);
  net.set_duplication_percent(0);
  net.set_delay(0, sim::us(0));
  for (std::uint32_t index = 0; index < net.size(); ++index) {
    const sim::participant_id id{index};
    net.set_slow(id, sim::us(0));
    if (!net.alive(id)) net.restart(id);
  }
  for (const auto& each : clusters_) each->settle();
}

AURORA_DECL simulation::simulation(const setup& config, db::cluster_observer* observer)
    : world_holder{db::world(config.world())}, deployment(world_holder::world_, config, observer) {}

AURORA_DECL simulation::~simulation() = default;

}  // namespace aurora::ops
