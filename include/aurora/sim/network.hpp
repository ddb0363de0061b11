// The simulated network: named participants in availability zones, and the faults between them.
//
// Aurora's storage fleet spans three availability zones (AZs) [P17 §2.1]; the model places each
// storage node and each database instance in AZ a, b or c (clients are in none). A message
// from one participant to another is delivered after a latency drawn from the run's PRNG for its
// link kind (same node, same AZ, across AZs), unless a fault intervenes:
//  - crash / restart: a crashed participant neither sends nor receives, and its timers never
//    fire; on crash it loses its volatile state and keeps its durable state (the participant's
//    `on_crash` decides which is which); `destroy` also loses the durable state (a lost disk).
//    Messages behave as on connections: one sent to a participant that crashes before it arrives
//    is dropped, even if the participant has restarted by then;
//  - partitions, both ways or one way, and `heal`;
//  - message loss, duplication and extra delay, each a rate in percent;
//  - slow participants: extra latency on every message to or from them.
// Every send, delivery and drop is recorded when tracing is on.
//
// The network is a template on the message type of the layer that uses it (the storage model's
// `message` variant), which must provide, found by argument-dependent lookup,
// `std::string_view message_type(const message&)` and `std::string message_summary(const
// message&)` for the trace.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::sim {

struct participant_id {
  std::uint32_t value = UINT32_MAX;
  auto operator<=>(const participant_id&) const = default;
};

enum class role { storage, instance, client, service };

inline std::string_view to_string(role value) {
  switch (value) {
    case role::storage: return "storage";
    case role::instance: return "instance";
    case role::client: return "client";
    case role::service: return "service";
  }
  return "?";
}

// One-way latency ranges per link kind. The defaults follow the usual shape of a cloud region:
// tens of microseconds on one host, ~100 us inside an AZ, ~0.5 ms between AZs.
struct latency_model {
  duration same_node_low = us(5), same_node_high = us(20);
  duration same_az_low = us(60), same_az_high = us(180);
  duration cross_az_low = us(300), cross_az_high = us(700);
};

// What a participant does when messages arrive and when faults hit it.
template <class message>
class endpoint {
 public:
  virtual ~endpoint() = default;
  virtual void receive(participant_id from, message&& value) = 0;
  virtual void on_crash() {}    // lose volatile state
  virtual void on_restart() {}  // start again from durable state
  virtual void on_destroy() {}  // lose durable state as well (called while crashed)
};

template <class message>
class network {
 public:
  network(scheduler& clock, random& prng, trace::recorder& trace, latency_model latency = {})
      : clock_(clock), prng_(prng), trace_(trace), latency_(latency) {}

  network(const network&) = delete;
  network& operator=(const network&) = delete;

  // Adds a participant; `az` is 'a', 'b' or 'c' for one that lives in an AZ (storage nodes,
  // database instances) and 0 when it has none (clients).
  participant_id add(std::string name, char az, role kind, endpoint<message>* handler) {
    if (find_or_none(name)) throw usage_error("network: participant '" + name + "' added twice");
    if (az != 0 && (az < 'a' || az > 'c')) {
      throw usage_error("network: AZ of '" + name + "' must be a, b or c");
    }
    const participant_id id{static_cast<std::uint32_t>(participants_.size())};
    by_name_.emplace(name, id.value);
    participants_.push_back({std::move(name), az, kind, handler});
    // An AZ that is down stays down for what is added to it (a clone's instance, a proxy node)
    // until `restart az X`.
    if (az != 0 && az_down_[static_cast<std::size_t>(az - 'a')]) participants_.back().alive = false;
    trace_.add_lane({participants_.back().name, az, std::string(to_string(kind))});
    return id;
  }

  // Every AZ counts as up again (the final check's settling restarts everything that is down).
  void clear_az_outages() { az_down_ = {}; }

  // The participant with this name; an unknown name is a usage error.
  [[nodiscard]] participant_id find(std::string_view name) const {
    if (auto id = find_or_none(name)) return *id;
    throw usage_error("network: unknown participant '" + std::string(name) + "'");
  }
  [[nodiscard]] std::optional<participant_id> find_or_none(std::string_view name) const {
    const auto found = by_name_.find(name);
    if (found == by_name_.end()) return std::nullopt;
    return participant_id{found->second};
  }

  [[nodiscard]] std::size_t size() const { return participants_.size(); }
  [[nodiscard]] const std::string& name(participant_id id) const { return at(id).name; }
  [[nodiscard]] char az(participant_id id) const { return at(id).az; }
  [[nodiscard]] role kind(participant_id id) const { return at(id).kind; }
  [[nodiscard]] bool alive(participant_id id) const { return at(id).alive; }
  [[nodiscard]] std::uint32_t incarnation(participant_id id) const { return at(id).incarnation; }
  [[nodiscard]] scheduler& clock() { return clock_; }
  [[nodiscard]] random& prng() { return prng_; }
  [[nodiscard]] trace::recorder& trace() { return trace_; }
  [[nodiscard]] sim::probes& probes() { return probes_; }
  [[nodiscard]] const sim::probes& probes() const { return probes_; }

  // Everything that lives in an AZ (its storage nodes and database instances), in the order
  // they were added: what `crash az X` stops and `partition az X | ...` cuts off.
  [[nodiscard]] std::vector<participant_id> members_of_az(char az_letter) const {
    std::vector<participant_id> members;
    for (std::uint32_t index = 0; index < participants_.size(); ++index) {
      if (participants_[index].az == az_letter) members.push_back({index});
    }
    return members;
  }

  // Sends a message. A crashed sender sends nothing; a fault may drop, delay or duplicate it.
  void send(participant_id from, participant_id to, message value) {
    if (!at(from).alive) return;
    const std::uint64_t id = ++messages_sent_;
    if (trace_.enabled()) record_message(trace::kind::send, from, to, id, value);
    if (blocked(from, to)) return drop(from, to, id, value, "partition");
    if (prng_.percent(loss_percent_)) return drop(from, to, id, value, "loss");
    if (prng_.percent(duplication_percent_)) deliver_later(from, to, id, message(value));
    deliver_later(from, to, id, std::move(value));
  }

  // Runs `function` after `delay` on behalf of `who`, unless `who` crashes in the meantime.
  template <class callable>
  event_id timer(participant_id who, duration delay, callable&& function) {
    const std::uint32_t born = at(who).incarnation;
    return clock_.schedule_after(
        delay, [this, who, born, function = std::forward<callable>(function)]() mutable {
          const participant& owner = at(who);
          if (owner.alive && owner.incarnation == born) function();
        });
  }

  // --- faults ---------------------------------------------------------------------------------
  void crash(participant_id id) {
    participant& each = at(id);
    if (!each.alive) return;
    each.alive = false;
    ++each.incarnation;
    if (each.handler != nullptr) each.handler->on_crash();
  }
  void restart(participant_id id) {
    participant& each = at(id);
    if (each.alive) return;
    each.alive = true;
    ++each.incarnation;
    if (each.handler != nullptr) each.handler->on_restart();
  }
  // Crashes the participant and loses its durable state; restart brings it back empty.
  void destroy(participant_id id) {
    crash(id);
    if (at(id).handler != nullptr) at(id).handler->on_destroy();
  }
  // Drops messages from every member of `left` to every member of `right` (and back, unless
  // `one_way`). Partitions add up until `heal`.
  void partition(const std::vector<participant_id>& left, const std::vector<participant_id>& right,
                 bool one_way) {
    for (participant_id from : left) {
      for (participant_id to : right) {
        block(from, to);
        if (!one_way) block(to, from);
      }
    }
  }
  void heal() {
    for (participant_id each : partitioned_) at(each).partition_slot = no_partition_slot;
    partitioned_.clear();
    blocked_.clear();
    partition_stride_ = 0;
  }
  void set_loss_percent(int percent) { loss_percent_ = checked_percent(percent); }
  void set_duplication_percent(int percent) { duplication_percent_ = checked_percent(percent); }
  void set_delay(int percent, duration extra) {
    if (extra < duration(0)) throw usage_error("network: negative extra delay");
    delay_percent_ = checked_percent(percent);
    delay_extra_ = extra;
  }
  void set_slow(participant_id id, duration extra) {
    if (extra < duration(0)) throw usage_error("network: negative slowness");
    at(id).slow_extra = extra;
  }
  // On the path of every send: two loads and, only while a partition names both, one lookup.
  [[nodiscard]] bool blocked(participant_id from, participant_id to) const {
    const std::uint32_t row = at(from).partition_slot;
    const std::uint32_t column = at(to).partition_slot;
    if (row == no_partition_slot || column == no_partition_slot) return false;
    return blocked_[std::size_t{row} * partition_stride_ + column] != 0;
  }

  // The participants a fault target names: one participant, or every member of an AZ.
  [[nodiscard]] std::vector<participant_id> resolve(const target& what) const {
    if (!what.is_az) return {find(what.name)};
    if (what.name.size() != 1 || what.name[0] < 'a' || what.name[0] > 'c') {
      throw usage_error("network: unknown AZ '" + what.name + "'");
    }
    return members_of_az(what.name[0]);
  }
  [[nodiscard]] std::vector<participant_id> resolve(const std::vector<target>& targets) const {
    std::vector<participant_id> members;
    for (const target& each : targets) {
      for (participant_id id : resolve(each)) members.push_back(id);
    }
    return members;
  }

  // Applies a fault (every fault is the network's: operations such as a failover are actions of
  // the ops layer, ops/action.hpp).
  void apply(const fault& value) {
    if (trace_.enabled()) record_fault(value);
    std::visit([this](const auto& each) { apply_one(each); }, value);
  }

  [[nodiscard]] std::uint64_t messages_sent() const { return messages_sent_; }
  [[nodiscard]] std::uint64_t messages_delivered() const { return messages_delivered_; }

 private:
  static constexpr std::uint32_t no_partition_slot = UINT32_MAX;

  struct participant {
    std::string name;
    char az;
    role kind;
    endpoint<message>* handler;
    bool alive = true;
    std::uint32_t incarnation = 0;
    duration slow_extra{};
    std::uint32_t partition_slot = no_partition_slot;  // its row and column in `blocked_`
  };

  struct in_flight {
    participant_id from, to;
    std::uint64_t id;
    std::uint32_t to_incarnation;  // the receiver's life the message was sent to
    std::optional<message> value;
  };

  participant& at(participant_id id) {
    AURORA_ASSERT(id.value < participants_.size(), "participant ids come from network::add");
    return participants_[id.value];
  }
  const participant& at(participant_id id) const {
    AURORA_ASSERT(id.value < participants_.size(), "participant ids come from network::add");
    return participants_[id.value];
  }
  void block(participant_id from, participant_id to) {
    const std::size_t row = partition_slot_of(from);
    const std::size_t column = partition_slot_of(to);
    blocked_[row * partition_stride_ + column] = 1;
  }

  // The participant's row and column in the partition matrix, given when a partition first
  // names it. Only those participants have one, so adding a participant (a client, at any time)
  // costs nothing; the matrix doubles its side when it is full, so naming k participants costs
  // O(k^2) in all.
  std::uint32_t partition_slot_of(participant_id id) {
    participant& each = at(id);
    if (each.partition_slot != no_partition_slot) return each.partition_slot;
    each.partition_slot = static_cast<std::uint32_t>(partitioned_.size());
    partitioned_.push_back(id);
    if (partitioned_.size() > partition_stride_) grow_partition_matrix();
    return each.partition_slot;
  }

  void grow_partition_matrix() {
    const std::size_t stride = std::max<std::size_t>(8, 2 * partition_stride_);
    std::vector<std::uint8_t> grown(stride * stride, 0);
    for (std::size_t row = 0; row < partition_stride_; ++row) {
      std::copy_n(blocked_.begin() + static_cast<std::ptrdiff_t>(row * partition_stride_),
                  partition_stride_, grown.begin() + static_cast<std::ptrdiff_t>(row * stride));
    }
    blocked_ = std::move(grown);
    partition_stride_ = stride;
  }

  static int checked_percent(int percent) {
    if (percent < 0 || percent > 100) {
      throw usage_error("network: a rate must be 0..100 percent, not " + std::to_string(percent));
    }
    return percent;
  }

  duration draw_latency(participant_id from, participant_id to) {
    const participant& sender = at(from);
    const participant& receiver = at(to);
    duration latency;
    if (from == to) {
      latency = prng_.latency_uniform(latency_.same_node_low, latency_.same_node_high);
    } else if (sender.az != 0 && sender.az == receiver.az) {
      latency = prng_.latency_uniform(latency_.same_az_low, latency_.same_az_high);
    } else {
      latency = prng_.latency_uniform(latency_.cross_az_low, latency_.cross_az_high);
    }
    latency += sender.slow_extra + receiver.slow_extra;
    if (prng_.percent(delay_percent_)) latency += delay_extra_;
    return latency;
  }

  // The message waits in a slot of `flights_` until it arrives, and is handed over from there.
  void deliver_later(participant_id from, participant_id to, std::uint64_t id, message&& value) {
    const duration latency = draw_latency(from, to);
    const std::uint32_t slot = flights_.acquire();
    in_flight& flight = flights_[slot];
    flight.from = from;
    flight.to = to;
    flight.id = id;
    flight.to_incarnation = at(to).incarnation;
    flight.value.emplace(std::move(value));
    clock_.schedule_after(latency, [this, slot] { arrive(slot); });
  }

  // Empties a message's slot once it is delivered or dropped, and frees it.
  struct flight_release {
    network& owner;
    std::uint32_t slot;
    flight_release(network& of, std::uint32_t index) : owner(of), slot(index) {}
    flight_release(const flight_release&) = delete;
    flight_release& operator=(const flight_release&) = delete;
    ~flight_release() {
      owner.flights_[slot].value.reset();
      owner.flights_.release(slot);
    }
  };

  void arrive(std::uint32_t slot) {
    const flight_release done{*this, slot};
    in_flight& flight = flights_[slot];  // stays put while the receiver sends (sim::stable_pool)
    participant& receiver = at(flight.to);
    if (!receiver.alive) return drop(flight.from, flight.to, flight.id, *flight.value, "crashed");
    // Sent to an earlier life of the receiver: its connections died with it, as a TCP peer's
    // do, so a late copy is never taken for a request made to the new incarnation.
    if (receiver.incarnation != flight.to_incarnation) {
      return drop(flight.from, flight.to, flight.id, *flight.value, "restarted");
    }
    if (blocked(flight.from, flight.to)) {
      return drop(flight.from, flight.to, flight.id, *flight.value, "partition");
    }
    ++messages_delivered_;
    if (trace_.enabled()) {
      record_message(trace::kind::deliver, flight.to, flight.from, flight.id, *flight.value);
    }
    if (receiver.handler != nullptr)
      receiver.handler->receive(flight.from, std::move(*flight.value));
  }

  void drop(participant_id from, participant_id to, std::uint64_t id, const message& value,
            std::string_view reason) {
    if (!trace_.enabled()) return;
    trace_.begin(clock_.now(), trace::kind::drop, at(to).name, at(from).name, id)
        .add(trace::key::msg, static_cast<std::int64_t>(id))
        .add(trace::key::from, at(from).name)
        .add(trace::key::to, at(to).name)
        .add(trace::key::type, message_type(value))
        .add(trace::key::reason, reason);
  }

  // send: lane = sender, peer = receiver; deliver: lane = receiver, peer = sender.
  void record_message(std::string_view kind, participant_id lane, participant_id peer,
                      std::uint64_t id, const message& value) {
    const bool is_send = kind == trace::kind::send;
    trace_.begin(clock_.now(), kind, at(lane).name, at(peer).name, id)
        .add(trace::key::msg, static_cast<std::int64_t>(id))
        .add(trace::key::from, at(is_send ? lane : peer).name)
        .add(trace::key::to, at(is_send ? peer : lane).name)
        .add(trace::key::type, message_type(value))
        .add(trace::key::summary, message_summary(value));
  }

  // The fault as the scenario language writes it, and the lanes it touches (`lanes`, names
  // joined by ','); its lane is the first of them, empty when it touches none (heal, loss...).
  void record_fault(const fault& value) {
    std::vector<std::string> names;
    for (participant_id id : touched(value)) names.push_back(at(id).name);
    std::string lane = names.empty() ? std::string() : names.front();
    trace_.record({clock_.now(),
                   std::string(trace::kind::fault),
                   {{trace::key::fault, to_string(value)},
                    {trace::key::lanes, trace::join_lane_names(names)}},
                   std::move(lane),
                   {},
                   0});
  }

  // The participants a fault touches, each once, in the order it names them (an AZ: its storage
  // nodes and instances). Unknown names are left out here; applying the fault reports them.
  [[nodiscard]] std::vector<participant_id> touched(const fault& value) const {
    std::vector<target> named;
    if (const auto* each = std::get_if<sim::crash>(&value)) named = {each->what};
    if (const auto* each = std::get_if<sim::restart>(&value)) named = {each->what};
    if (const auto* each = std::get_if<sim::destroy>(&value)) named = {{each->node, false}};
    if (const auto* each = std::get_if<sim::slow>(&value)) named = {{each->node, false}};
    if (const auto* each = std::get_if<sim::partition>(&value)) {
      named = each->left;
      named.insert(named.end(), each->right.begin(), each->right.end());
    }
    std::vector<participant_id> found;
    for (const target& what : named) {
      for (participant_id id : touched(what)) {
        if (std::find(found.begin(), found.end(), id) == found.end()) found.push_back(id);
      }
    }
    return found;
  }
  [[nodiscard]] std::vector<participant_id> touched(const target& what) const {
    if (what.is_az && what.name.size() != 1) return {};
    if (what.is_az) return members_of_az(what.name[0]);
    if (const auto id = find_or_none(what.name)) return {*id};
    return {};
  }

  void apply_one(const sim::crash& f) {
    note_az(f.what, true);
    for (participant_id id : resolve(f.what)) crash(id);
  }
  void apply_one(const sim::restart& f) {
    note_az(f.what, false);
    for (participant_id id : resolve(f.what)) restart(id);
  }
  void note_az(const target& what, bool down) {
    if (what.is_az && what.name.size() == 1 && what.name[0] >= 'a' && what.name[0] <= 'c') {
      az_down_[static_cast<std::size_t>(what.name[0] - 'a')] = down;
    }
  }
  void apply_one(const sim::destroy& f) { destroy(find(f.node)); }
  void apply_one(const sim::partition& f) {
    partition(resolve(f.left), resolve(f.right), f.one_way);
  }
  void apply_one(const sim::heal&) { heal(); }
  void apply_one(const message_loss& f) { set_loss_percent(f.percent); }
  void apply_one(const message_duplication& f) { set_duplication_percent(f.percent); }
  void apply_one(const message_delay& f) { set_delay(f.percent, f.extra); }
  void apply_one(const sim::slow& f) { set_slow(find(f.node), f.extra); }

  scheduler& clock_;
  random& prng_;
  trace::recorder& trace_;
  latency_model latency_;
  std::vector<participant> participants_;
  std::map<std::string, std::uint32_t, std::less<>> by_name_;  // name -> index in participants_
  // Partitions: a matrix over the participants some partition names (`partitioned_`, in the
  // order they were first named), row = sender, column = receiver, side `partition_stride_`.
  std::vector<participant_id> partitioned_;
  std::vector<std::uint8_t> blocked_;
  std::size_t partition_stride_ = 0;
  std::array<bool, 3> az_down_{};  // per AZ a, b, c: crashed by `crash az X`, not restarted
  stable_pool<in_flight> flights_;
  int loss_percent_ = 0;
  int duplication_percent_ = 0;
  int delay_percent_ = 0;
  duration delay_extra_{};
  std::uint64_t messages_sent_ = 0;
  std::uint64_t messages_delivered_ = 0;
  sim::probes probes_;
};

}  // namespace aurora::sim
