// A deployment: the clusters on one world, their shared storage fleet, and the clients.
//
// DESIGN §3, the operations layer. A deployment lives on a world it does not own; it builds the
// world's storage fleet and the production cluster `main` (db/cluster.hpp), and may add more
// clusters on the same fleet (`add_cluster`: a green cluster, a restored one). It is what a
// scenario runs against:
//  - clients (ops/client.hpp), created on first use, each a participant `client-<name>` on the
//    world; they record the history (ops/history.hpp);
//  - endpoints (ops/endpoint.hpp): a write goes to the cluster endpoint (the designated
//    writer); a read to the cluster endpoint, the reader endpoint (round robin over the
//    replicas) or a named instance's endpoint, resolved when the operation starts;
//  - the control plane (ops/control_plane.hpp), which makes the decisions that change a
//    cluster's metadata: a failover, the replacement of a destroyed disk's segments;
//  - the dispatch of a scenario's faults and actions: a fault (sim/fault.hpp) goes to the
//    world's network, and a destroyed disk has the control plane replace the segments of every
//    volume that had one on it; an action (ops/action.hpp: a failover) goes to its `perform`
//    handler below, which asks the control plane. Each records the lanes it touched in the
//    trace.
// `simulation` is the usual way in: a world and a deployment on it, from one `setup`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/config.hpp"
#include "aurora/db/cluster.hpp"
#include "aurora/db/world.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/ops/client.hpp"
#include "aurora/ops/control_plane.hpp"
#include "aurora/ops/endpoint.hpp"
#include "aurora/ops/history.hpp"
#include "aurora/ops/proxy.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/string_hash.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::ops {

// What a run sets up: the world (seed, event limit, tracing), the storage fleet (nodes per AZ),
// the clients (op_timeout) and the production cluster `main` (the rest).
struct setup {
  std::uint64_t seed = 1;
  int protection_groups = 1;
  int nodes_per_az = 2;
  int replicas = 0;  // read replicas, at most 15
  sim::duration op_timeout = sim::s(1);
  storage::lsn lal = 1'000;
  db::teaching_variant variant = db::teaching_variant::safe;
  sim::duration repair_delay = sim::ms(20);  // until a destroyed node's new disk is in place
  int pages_per_pg = 4;
  sim::duration batch_window = sim::us(0);  // group commit window of the writer (0: per event)
  std::uint64_t event_limit = sim::scheduler::default_event_limit;
  bool trace = false;
  // Placement and promotion rank of instance N at index N - 1 (db/instance_spec.hpp); missing
  // entries: round-robin AZ, tier 1, size 1.
  std::vector<db::instance_spec> instances;
  failover_timing failover;  // automatic or manual failover, and how long the control plane takes
  dns_settings dns;    // the endpoints' DNS records: TTL and propagation (ops/client_options.hpp)
  proxy_timing proxy;  // the connection proxy's (ops/proxy.hpp)
  // How each named client reaches the endpoints (ops/client_options.hpp); others: the defaults.
  std::map<std::string, client_options, std::less<>> clients;

  [[nodiscard]] sim::world_options world() const { return {seed, event_limit, trace}; }
  [[nodiscard]] db::cluster_config main() const {
    db::cluster_config config;
    config.protection_groups = protection_groups;
    config.replicas = replicas;
    config.lal = lal;
    config.variant = variant;
    config.repair_delay = repair_delay;
    config.pages_per_pg = pages_per_pg;
    config.batch_window = batch_window;
    config.instances = instances;
    return config;
  }
};

class deployment {
 public:
  using done_callback = client::done_callback;

  // Builds the storage fleet on `world` and the cluster `main` on it; `observer` (may be null)
  // hears what main's instances decide.
  deployment(db::world& world, const setup& config, db::cluster_observer* observer = nullptr);
  ~deployment();

  deployment(const deployment&) = delete;
  deployment& operator=(const deployment&) = delete;

  // Adds a cluster with a volume of its own on the same storage fleet (its name and its
  // instances' names must be new).
  db::cluster& add_cluster(const db::cluster_config& config,
                           db::cluster_observer* observer = nullptr);

  // A fast clone of `source` [UG "Aurora cloning"]: a new cluster `config.name` (with the
  // source's shape: its protection groups, pages per PG and variant) on a new volume that starts
  // from the source's pages at its writer's VDL now; its db1 recovers the volume and opens it.
  // Null when the clone cannot be taken now: the source has no open writer, or some PG has no
  // segment complete to the clone point.
  db::cluster* clone_cluster(std::string_view source, db::cluster_config config,
                             db::cluster_observer* observer = nullptr);

  // The scenario's `clone as NAME`: a clone of main named NAME, with one instance NAME-db1,
  // recorded in the trace as an action and, as a `control-plane` event, whether Aurora would
  // share the pages copy-on-write (the source's first 15 clones) or copy them. Null when refused
  // (no open writer on main).
  db::cluster* clone(const ops::clone& value, db::cluster_observer* observer = nullptr);

  [[nodiscard]] const setup& config() const { return setup_; }
  [[nodiscard]] db::world& world() { return world_; }
  [[nodiscard]] const db::world& world() const { return world_; }
  [[nodiscard]] sim::scheduler& clock() { return world_.clock(); }
  [[nodiscard]] sim::network<db::message>& network() { return world_.net(); }
  [[nodiscard]] const sim::network<db::message>& network() const { return world_.net(); }
  [[nodiscard]] trace::recorder& trace() { return world_.trace(); }
  [[nodiscard]] sim::time_point now() const { return world_.now(); }
  [[nodiscard]] int current_step() const { return world_.current_step(); }
  void run_until(sim::time_point until) { world_.run_until(until); }
  [[nodiscard]] ops::history& history() { return history_; }
  [[nodiscard]] const ops::history& history() const { return history_; }

  // The production cluster, and any cluster by name.
  [[nodiscard]] db::cluster& main() { return *clusters_.front(); }
  [[nodiscard]] const db::cluster& main() const { return *clusters_.front(); }
  [[nodiscard]] db::cluster& cluster(std::string_view name) {
    if (db::cluster* found = find_cluster(name)) return *found;
    throw usage_error("unknown cluster '" + std::string(name) + "'");
  }
  [[nodiscard]] const db::cluster& cluster(std::string_view name) const {
    return const_cast<deployment&>(*this).cluster(name);
  }
  [[nodiscard]] bool has_cluster(std::string_view name) const {
    return const_cast<deployment&>(*this).find_cluster(name) != nullptr;
  }
  [[nodiscard]] const std::vector<std::unique_ptr<db::cluster>>& clusters() const {
    return clusters_;
  }

  // Main's, for the many callers that have one cluster.
  [[nodiscard]] const storage::key_table& keys() const { return main().keys(); }
  [[nodiscard]] storage::quorum_sizes quorum() const { return main().quorum(); }
  [[nodiscard]] const db::control_plane& control() const { return main().control(); }
  [[nodiscard]] std::vector<db::segment_view> segments() const { return main().segments(); }
  [[nodiscard]] const db::instance& find_instance(std::string_view name) const {
    return main().find_instance(name);
  }
  [[nodiscard]] const std::vector<std::unique_ptr<db::instance>>& instances() const {
    return main().instances();
  }
  [[nodiscard]] const db::instance& writer() const { return main().writer(); }

  // --- client operations ----------------------------------------------------------------------
  // A transaction writing these keys, through `on`'s cluster endpoint (its writer) or one of its
  // instances' endpoints (a replica refuses it: the history records `fail`). With `hold`, the
  // transaction stays open that long at the writer before it asks to commit (the client's
  // op_timeout counts from then).
  void write(std::string_view client_name,
             const std::vector<std::pair<std::string, std::int64_t>>& puts, done_callback done = {},
             std::string_view on = "main", const endpoint& to = {}, sim::duration hold = {});

  // A read of `key` through one of `on`'s endpoints: the cluster endpoint (the default), the
  // reader endpoint, or one of its instances' (an unknown instance is a usage_error).
  void read(std::string_view client_name, std::string_view key, const endpoint& from = {},
            done_callback done = {}, std::string_view on = "main");

  // The same, with the endpoint as text (endpoint::parse): "" or "cluster", "reader", or an
  // instance's name, e.g. `read("c1", "x", "reader")`.
  void read(std::string_view client_name, std::string_view key, std::string_view from,
            done_callback done = {}, std::string_view on = "main") {
    read(client_name, key, endpoint::parse(from), std::move(done), on);
  }

  // The client with this name, created on first use.
  client& find_client(std::string_view name);

  // --- faults and actions ---------------------------------------------------------------------
  // A network or node fault: the world's network applies it (and records it with its lanes); a
  // destroyed disk starts the repair of every volume that had a segment on it.
  void apply(const sim::fault& value);

  // An operation of the control plane: routed to its `perform` handler.
  void apply(const action& value);

  // A failover of main that the control plane starts by itself (the runner's final check, when
  // main's writer is down): not a scenario step, so not recorded as one.
  void failover(const std::optional<std::string>& to);

  [[nodiscard]] const ops::control_plane& control_plane() const { return control_plane_; }

  // The instance a failover of main would promote now: the named one, or the first other live
  // instance in db order (ops::control_plane decides); none when there is no other.
  [[nodiscard]] std::optional<std::string> failover_target(const ops::failover& value) const {
    return control_plane_.failover_target(main(), value);
  }

  // Undoes every fault so that the final check can read everything back: heal partitions, clear
  // rates, restart every node and instance that is down (a destroyed node comes back empty), and
  // let each cluster's designated writer recover.
  void settle();

  // True when every cluster's designated writer is open and no replacement is hydrating.
  [[nodiscard]] bool settled() const {
    for (const auto& each : clusters_) {
      if (!each->settled()) return false;
    }
    return true;
  }

 private:
  static const setup& checked(const setup& config) {
    if (config.op_timeout <= sim::us(0)) throw usage_error("op_timeout must be positive");
    return config;
  }

  db::cluster* find_cluster(std::string_view name) {
    for (const auto& each : clusters_) {
      if (each->name() == name) return each.get();
    }
    return nullptr;
  }

  void note_fault_while_hydrating() {
    for (const auto& each : clusters_) {
      if (each->replacing_a_segment()) {
        world_.probes().hit("a fault while a replacement hydrates");
        return;
      }
    }
  }

  // --- action handlers (one per alternative of ops::action) ---------------------------------

  // Promotes a replica of main (ops/control_plane.hpp) [P17 §4.3]; recorded as a fault event
  // with the lanes it touches: the old writer, then the target when it is another instance. The
  // target is predicted before (`failover_target`, which the fault budget also judges by) and
  // checked after.
  void perform(const ops::failover& value) {
    const std::string old_writer = writer().name();
    const std::optional<std::string> target = failover_target(value);
    std::vector<std::string> lanes{old_writer};
    if (target && *target != old_writer) lanes.push_back(*target);
    record_action(to_string(value), lanes);
    control_plane_.perform(main(), value);
    AURORA_ASSERT(control().writer == target.value_or(old_writer),
                  "a failover promotes the instance failover_target predicted");
  }

  // `clone as NAME` as an action of a run that has no checker for it.
  void perform(const ops::clone& value) { (void)clone(value); }

  // A decision of the control plane about `cluster` (trace-events.md, `control-plane`).
  void record_decision(const std::string& cluster, std::string_view decision,
                       const std::string& why) {
    trace::recorder& trace = world_.trace();
    if (!trace.enabled()) return;
    trace.record({world_.now(),
                  std::string(trace::kind::control_plane),
                  {{"cluster", cluster}, {"decision", std::string(decision)}, {"reason", why}},
                  {},
                  {},
                  0});
  }

  // An action in the trace, like a fault (trace-events.md, `fault`): its text and its lanes.
  void record_action(const std::string& text, const std::vector<std::string>& lanes) {
    trace::recorder& trace = world_.trace();
    if (!trace.enabled()) return;
    trace.record({world_.now(),
                  std::string(trace::kind::fault),
                  {{trace::key::fault, text}, {trace::key::lanes, trace::join_lane_names(lanes)}},
                  lanes.empty() ? std::string() : lanes.front(),
                  {},
                  0});
  }

  // A cluster's connection proxy: one node per AZ, made on the first use by a `via=proxy`
  // client (so runs without one have no proxy lanes).
  struct cluster_proxy {
    const db::cluster* target = nullptr;
    std::vector<std::unique_ptr<proxy_node>> nodes;  // in AZ order: a, b, c
  };

  cluster_proxy& proxy_of(const db::cluster& target);

  // What picks the instance an operation through `via` goes to, when it starts: the designated
  // writer, the next replica in round robin (reads only), or the named instance; for a client
  // that goes through the proxy, the cluster and reader endpoints lead to the proxy's first live
  // node instead. Each router captures at most two pointers, so std::function keeps it without
  // allocating.
  client::route_function router(const db::cluster& target, const endpoint& via, const client& by) {
    if (by.options().via == client_path::proxy && !via.is_instance()) {
      const cluster_proxy* proxy = &proxy_of(target);
      sim::network<db::message>* net = &world_.net();
      return [proxy, net](sim::time_point) {
        for (const auto& node : proxy->nodes) {
          if (net->alive(node->id())) return node->id();
        }
        return proxy->nodes.front()->id();  // none is up: the request is lost
      };
    }
    return router(target, via);
  }

  client::route_function router(const db::cluster& target, const endpoint& via) {
    switch (via.kind()) {
      case endpoint_kind::cluster:
        return [&target](sim::time_point as_of) { return target.writer_id_as_of(as_of); };
      case endpoint_kind::instance: {
        const sim::participant_id named = target.find_instance(via.instance_name()).id();
        return [named](sim::time_point) { return named; };
      }
      case endpoint_kind::reader: break;
    }
    return [this, &target](sim::time_point) {
      const std::vector<sim::participant_id> readers = target.reader_ids();
      return readers[reader_cursor_++ % readers.size()];
    };
  }

  db::world& world_;
  setup setup_;
  ops::control_plane control_plane_;
  db::fleet fleet_;
  ops::history history_;
  std::vector<std::unique_ptr<db::cluster>> clusters_;
  // Searched by name, never iterated (so its order cannot reach behaviour or output).
  std::unordered_map<std::string, std::unique_ptr<client>, sim::string_hash, std::equal_to<>>
      clients_;
  std::size_t reader_cursor_ = 0;
  std::vector<std::unique_ptr<cluster_proxy>> proxies_;  // one per cluster that has one
  // Aurora shares a volume's pages copy-on-write with up to 15 clones, then copies [UG].
  static constexpr int copy_on_write_clones = 15;
  std::map<std::string, int, std::less<>> clones_of_;  // by source cluster
};

namespace detail {
struct world_holder {
  db::world world_;
};
}  // namespace detail

// A world and a deployment on it, built from one `setup`: what a tutorial, a unit test or a
// benchmark that needs one cluster creates. (The harness's runner holds the two itself.)
class simulation : private detail::world_holder, public deployment {
 public:
  explicit simulation(const setup& config, db::cluster_observer* observer = nullptr);
  ~simulation();
};

}  // namespace aurora::ops

#if AURORA_HEADER_ONLY
#include "aurora/ops/impl/deployment.ipp"
#endif
