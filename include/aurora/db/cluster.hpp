// A cluster: the volume's storage nodes, the database instances, the clients, on one network.
//
// This is the whole model wired together on one scheduler and one seeded PRNG (DESIGN.md §3):
//  - storage nodes a1..aN, b1..bN, c1..cN (N = nodes_per_az) hosting the segments of every PG
//    (storage/placement.hpp);
//  - instances db1 (the first writer) and db2..db(1+replicas) (read replicas);
//  - clients, created on first use; a client named `c1` is the network participant `client-c1`
//    (the storage node c1 keeps its name);
//  - the control plane (designated writer, PG membership).
// Faults (sim/fault.hpp) apply here: network faults go to the network; `destroy` also starts the
// repair of the node's segments (a new, empty disk after `repair_delay`, hydrated by gossip
// while membership runs through quorum sets [P18 §4]); `failover` promotes an instance, which
// recovers the volume [P17 §4.3]. Checkers read the cluster's state; they never change it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/check/history.hpp"
#include "aurora/db/client.hpp"
#include "aurora/db/control_plane.hpp"
#include "aurora/db/instance.hpp"
#include "aurora/db/limits.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/storage_node.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::db {

struct cluster_config {
  std::uint64_t seed = 1;
  int protection_groups = 1;
  int nodes_per_az = 2;
  int replicas = 0;  // read replicas, at most 15
  sim::duration op_timeout = sim::s(1);
  lsn lal = 1'000;
  teaching_variant variant = teaching_variant::safe;
  sim::duration repair_delay = sim::ms(20);  // until a destroyed node's new disk is in place
  int pages_per_pg = 4;
  sim::duration batch_window = sim::us(0);  // group commit window of the writer (0: per event)
  std::uint64_t event_limit = sim::scheduler::default_event_limit;
  bool trace = false;
};


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

// A change of an instance's LSN points, for the monotonicity invariant.
struct point_change {
  std::string instance;
  lsn vcl = no_lsn;
  lsn vdl = no_lsn;
  storage::epoch volume_epoch = 0;
};

class cluster final : public instance_observer {
 public:
  explicit cluster(const cluster_config& config)
      : config_(checked(config)), clock_(config.event_limit), prng_(config.seed),
        net_(clock_, prng_, trace_),
        placement_({config.protection_groups, config.nodes_per_az, config.pages_per_pg}),
        keys_(placement_), history_(keys_, trace_), quorum_(quorum_for(config.variant)) {
    trace_.set_enabled(config.trace);
    aurora::detail::current_assert_context() = {true, clock_.now_address(), config.seed};
    control_.membership.assign(config.protection_groups, storage::pg_membership{});
    build_storage();
    build_instances();
    instances_.front()->open_empty_volume();
  }

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;
  ~cluster() override {
    aurora::detail::assert_context& context = aurora::detail::current_assert_context();
    if (context.now_us == clock_.now_address()) context = {};
  }

  [[nodiscard]] const cluster_config& config() const { return config_; }
  [[nodiscard]] sim::scheduler& clock() { return clock_; }
  [[nodiscard]] sim::network<message>& network() { return net_; }
  [[nodiscard]] const sim::network<message>& network() const { return net_; }
  [[nodiscard]] trace::recorder& trace() { return trace_; }
  [[nodiscard]] check::history& history() { return history_; }
  [[nodiscard]] const check::history& history() const { return history_; }
  [[nodiscard]] const storage::key_table& keys() const { return keys_; }
  [[nodiscard]] storage::quorum_sizes quorum() const { return quorum_; }
  [[nodiscard]] const control_plane& control() const { return control_; }
  [[nodiscard]] const std::vector<storage::log_record>& allocated() const { return allocated_; }
  [[nodiscard]] const std::vector<storage::truncation_range>& truncations() const {
    return truncations_;
  }
  [[nodiscard]] const std::vector<point_change>& point_changes() const { return point_changes_; }
  // The decisions the instances reported, in order (db/protocol_facts.hpp), from number
  // `protocol_facts_dropped()` on: a checker that has judged the earlier ones lets them go.
  [[nodiscard]] const std::vector<facts::stamped>& protocol_facts() const { return facts_; }
  [[nodiscard]] std::size_t protocol_facts_dropped() const { return facts_dropped_; }
  void drop_protocol_facts_before(std::size_t number) {
    if (number <= facts_dropped_) return;
    const std::size_t count = std::min(number - facts_dropped_, facts_.size());
    facts_.erase(facts_.begin(), facts_.begin() + static_cast<std::ptrdiff_t>(count));
    facts_dropped_ += count;
  }
  // The scenario step in progress (stamped on trace events and violations).
  [[nodiscard]] int current_step() const { return trace_.step(); }
  [[nodiscard]] sim::time_point now() const { return clock_.now(); }

  // --- client operations ----------------------------------------------------------------------
  // A transaction writing these keys, through the cluster (writer) endpoint.
  void write(std::string_view client_name,
             const std::vector<std::pair<std::string, std::int64_t>>& puts,
             client::done_callback done = {}) {
    check::operation op;
    op.kind = check::op_kind::write;
    for (const auto& [key, value] : puts) op.puts.emplace_back(keys_.intern(key), value);
    find_client(client_name).start(std::move(op), [this] { return writer_id(); }, std::move(done));
  }

  // A read of `key`, through the writer endpoint (from = ""), the reader endpoint ("reader"), or
  // one named instance.
  void read(std::string_view client_name, std::string_view key, std::string_view from = "",
            client::done_callback done = {}) {
    check::operation op;
    op.kind = check::op_kind::read;
    op.key = keys_.intern(key);
    op.from = std::string(from);
    if (!from.empty() && from != "reader") (void)find_instance(from);  // unknown: usage error
    const std::string target(from);
    find_client(client_name)
        .start(std::move(op), [this, target] { return route_read(target); }, std::move(done));
  }

  // --- faults ---------------------------------------------------------------------------------
  void apply(const sim::fault& value) {
    for (const storage::pg_membership& members : control_.membership) {
      if (members.changing()) {
        net_.probes().hit("a fault while a replacement hydrates");
        break;
      }
    }
    if (const auto* each = std::get_if<sim::failover>(&value)) {
      if (trace_.enabled()) {
        trace_.record({clock_.now(), "fault", {{"fault", sim::to_string(value)}}, {}, {}, 0});
      }
      return failover(each->to);
    }
    if (const auto* each = std::get_if<sim::destroy>(&value)) {
      const sim::participant_id node = net_.find(each->node);
      if (net_.kind(node) != sim::role::storage) {
        throw usage_error("destroy: '" + each->node + "' is not a storage node");
      }
    }
    net_.apply(value);
    if (const auto* each = std::get_if<sim::destroy>(&value)) start_repair(net_.find(each->node));
  }

  // Promotes an instance (the named one, or the first other live one in db order) [UG]. As in
  // Aurora, the old writer and the failover target restart: the old writer stops serving as the
  // writer at once (its connections and cache are gone) and comes back as a replica; the target
  // comes back recovering the volume [P17 §4.3]. Transactions in flight on the old writer get no
  // answer (their outcome is unknown to the client). An old writer the control plane cannot
  // reach (its host cut off both ways from every storage node) keeps running as a zombie until
  // a storage node refuses its stale epoch; it then restarts as a replica by itself [P18 §2.4].
  void failover(const std::optional<std::string>& to) {
    instance* target = to ? &find_instance(*to) : next_writer_candidate();
    if (target == nullptr) {
      record_run_event("failover-impossible", "no other instance is up");
      return;
    }
    instance& old_writer = find_instance(control_.writer);
    control_.writer = target->name();
    net_.probes().hit("failover");
    wire_replicas();
    const bool restart_old = &old_writer != target && control_plane_reaches(old_writer);
    report(facts::failover{old_writer.number(), target->number(), restart_old});
    if (&old_writer != target && control_plane_reaches(old_writer)) reboot(old_writer);
    reboot(*target);  // a live target restarts and, being designated, recovers
  }

  void run_until(sim::time_point until) { clock_.run_until(until); }

  // Undoes every fault so that the final check can read everything back: heal partitions, clear
  // rates, restart every node and instance that is down (a destroyed node comes back empty).
  void settle() {
    net_.heal();
    net_.set_loss_percent(0);
    net_.set_duplication_percent(0);
    net_.set_delay(0, sim::us(0));
    for (std::uint32_t index = 0; index < net_.size(); ++index) {
      const sim::participant_id id{index};
      net_.set_slow(id, sim::us(0));
      if (!net_.alive(id)) net_.restart(id);
    }
    instance& writer = find_instance(control_.writer);
    if (writer.role() == instance_role::replica || writer.role() == instance_role::deposed) {
      writer.start_recovery();
    }
  }

  // True when the designated writer is open for writes and every replacement has caught up.
  [[nodiscard]] bool settled() const {
    if (find_instance(control_.writer).role() != instance_role::writer) return false;
    for (const storage::pg_membership& members : control_.membership) {
      if (members.changing()) return false;
    }
    return true;
  }

  // --- inspection (for checkers) --------------------------------------------------------------
  [[nodiscard]] std::vector<segment_view> segments() const {
    std::vector<segment_view> views;
    for (pg_id pg = 0; pg < directory_.size(); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const sim::participant_id id = directory_[pg][slot];
        const storage::storage_node<message>& node = *nodes_[id.value];
        views.push_back({net_.name(id), pg, slot, node.find(pg), net_.alive(id),
                         control_.membership[pg].hydrating(slot), node.disk(pg)});
      }
    }
    return views;
  }

  [[nodiscard]] const instance& find_instance(std::string_view name) const {
    for (const auto& each : instances_) {
      if (each->name() == name) return *each;
    }
    throw usage_error("unknown instance '" + std::string(name) + "'");
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
    if (config.nodes_per_az < 2 || config.nodes_per_az > storage::max_nodes_per_az) {
      throw usage_error("nodes_per_az must be 2..9 (a PG has two segments in each AZ)");
    }
    if (config.replicas < 0 || config.replicas > max_replicas) {
      throw usage_error("replicas must be 0..15");
    }
    if (config.lal < 1 || config.lal > max_lal) {
      throw usage_error("lal must be 1.." + std::to_string(max_lal));
    }
    if (config.op_timeout <= sim::us(0)) throw usage_error("op_timeout must be positive");
    return config;
  }

  storage::storage_options storage_settings() const {
    storage::storage_options options;
    options.fence_stale_epochs = config_.variant != teaching_variant::no_epoch_fencing;
    options.check_read_point = config_.variant != teaching_variant::read_below_scl;
    options.check_read_truncation = config_.variant != teaching_variant::reads_ignore_truncation;
    return options;
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
    return options;
  }

  void build_storage() {
    for (const std::string& name : placement_.node_names()) {
      nodes_.push_back(std::make_unique<storage::storage_node<message>>(net_, directory_,
                                                                        storage_settings()));
      nodes_.back()->attach(net_.add(name, name[0], sim::role::storage, nodes_.back().get()));
    }
    directory_.resize(config_.protection_groups);
    for (pg_id pg = 0; pg < directory_.size(); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const sim::participant_id node = net_.find(placement_.node_of(pg, slot));
        directory_[pg][slot] = node;
        nodes_[node.value]->host(pg, slot);
      }
    }
  }

  void build_instances() {
    for (int index = 1; index <= 1 + config_.replicas; ++index) {
      instances_.push_back(std::make_unique<instance>(net_, directory_, keys_, control_, quorum_,
                                                      instance_settings(), *this));
      const std::string name = "db" + std::to_string(index);
      instances_.back()->attach(net_.add(name, 0, sim::role::instance, instances_.back().get()));
      instances_.back()->set_ballot(index);
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

  instance& find_instance(std::string_view name) {
    for (const auto& each : instances_) {
      if (each->name() == name) return *each;
    }
    throw usage_error("unknown instance '" + std::string(name) + "'");
  }

  instance* next_writer_candidate() {
    for (const auto& each : instances_) {
      if (each->name() != control_.writer && net_.alive(each->id())) return each.get();
    }
    return nullptr;
  }

  client& find_client(std::string_view name) {
    auto found = clients_.find(name);
    if (found != clients_.end()) return *found->second;
    const std::string key(name);
    auto made = std::make_unique<client>(net_, key, history_, config_.op_timeout);
    made->attach(net_.add("client-" + key, 0, sim::role::client, made.get()));
    return *clients_.emplace(key, std::move(made)).first->second;
  }

  sim::participant_id writer_id() const { return find_instance(control_.writer).id(); }

  sim::participant_id route_read(const std::string& target) {
    if (target.empty()) return writer_id();
    if (target != "reader") return find_instance(target).id();
    std::vector<sim::participant_id> readers;
    for (const auto& each : instances_) {
      if (each->name() != control_.writer) readers.push_back(each->id());
    }
    if (readers.empty()) return writer_id();
    return readers[reader_cursor_++ % readers.size()];
  }

  // A destroyed node's segments are replaced: membership moves to quorum sets, and a new disk
  // arrives after `repair_delay`.
  void start_repair(sim::participant_id node) {
    for (pg_id pg = 0; pg < directory_.size(); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (directory_[pg][slot] != node) continue;
        control_.membership[pg].replace(slot, nodes_[node.value]->disk(pg));
      }
    }
    net_.clock().schedule_after(config_.repair_delay, [this, node] {
      if (!net_.alive(node)) net_.restart(node);
    });
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

  // Restarts a live instance at once: it loses its volatile state and what was sent to it.
  void reboot(instance& which) {
    if (!net_.alive(which.id())) return;
    if (trace_.enabled()) {
      trace_.record({clock_.now(), "reboot", {{"instance", which.name()}}, which.name(), {}, 0});
    }
    net_.crash(which.id());
    net_.restart(which.id());
  }

  void record_run_event(const char* kind, const std::string& why) {
    if (!trace_.enabled()) return;
    trace_.record({clock_.now(), kind, {{"reason", why}}, {}, {}, 0});
  }

  // instance_observer
  void report(const facts::fact& what) override {
    if (const auto* each = std::get_if<facts::allocated>(&what)) allocated_.push_back(each->record);
    if (const auto* each = std::get_if<facts::truncated>(&what)) {
      if (each->written) truncations_.push_back(each->range);
    }
    if (const auto* each = std::get_if<facts::points>(&what)) {
      point_changes_.push_back({"db" + std::to_string(each->instance), each->vcl, each->vdl,
                                each->writer_epoch});
    }
    facts_.push_back({clock_.now(), trace_.step(), what});
  }

  [[nodiscard]] facts::membership_snapshot members(pg_id pg) const override {
    const storage::pg_membership& members = control_.membership.at(pg);
    facts::membership_snapshot snapshot;
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      snapshot.identity[slot] = members.identity(slot);
      snapshot.disk[slot] = members.disk(slot);
    }
    const storage::quorum_set sets = members.quorums(quorum_);
    snapshot.set_count = static_cast<int>(sets.set_count());
    for (std::size_t index = 0; index < sets.set_count(); ++index) {
      snapshot.sets[index] = sets.member_set(index);
    }
    return snapshot;
  }

  cluster_config config_;
  sim::scheduler clock_;
  sim::random prng_;
  trace::recorder trace_;
  sim::network<message> net_;
  storage::placement placement_;
  storage::key_table keys_;
  check::history history_;
  storage::quorum_sizes quorum_;
  control_plane control_;
  storage::segment_directory directory_;
  std::vector<std::unique_ptr<storage::storage_node<message>>> nodes_;
  std::vector<std::unique_ptr<instance>> instances_;
  std::map<std::string, std::unique_ptr<client>, std::less<>> clients_;
  std::vector<storage::log_record> allocated_;
  std::vector<storage::truncation_range> truncations_;
  std::vector<point_change> point_changes_;
  std::vector<facts::stamped> facts_;
  std::size_t facts_dropped_ = 0;
  std::size_t reader_cursor_ = 0;
};

}  // namespace aurora::db
