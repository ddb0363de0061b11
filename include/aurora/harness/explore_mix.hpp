// The fault mix of swarm exploration: what one seed samples before it draws any step.
//
// Swarm testing (Groce et al. 2012, "Swarm testing"): from `sim::random(seed).fork()` a seed
// first samples a *fault mix*, and the generator (swarm_generator.hpp) then draws steps only from
// the kinds the mix switched on. This header holds the kinds (`explore_kind`), the bounds of the
// explorer, the mix itself, the names a generator draws from (`swarm_names`, all from the
// configuration) and the sampler of the mix, written on any draw source (draw_source.hpp).
// 2012, "Swarm testing"), then draw steps only from the kinds the mix switched on. The mix:
//  - which fault kinds are on, and how much each weighs: 1-3 *families* of kinds that work
//    together (storage: node, az, destroy; messages: loss, duplicate, delay, slow; partitions:
//    partition, storage-partition, instance-partition, split, heal; the writer: instance,
//    failover, split, burst), each kind of a chosen family with chance 60%. Most kinds are off
//    in any given seed, so the few that are on meet often, and rare combinations get their turn;
//  - intensities, spread log-uniformly: loss 5-50%, duplicate 10-100%, delay 10-100% with
//    1-200ms, slow 1-50ms; a message fault step switches its kind on at that intensity (2 in 3)
//    or off;
//  - the workload: the share of client operations (40-95%), a write and a read weight per key
//    (a key read often and written rarely sits in a PG that stays idle while others move VDL
//    on), the share of reads that go to a replica; the most keys a transaction writes (1-4,
//    spread over the PGs, so that VCL can stop inside one); in a quarter of the mixes a small
//    LAL (2-8, `config lal=N`) that binds; hot bursts (writes around a read of a key not
//    written since, which goes to storage, while VDL moves on and segments garbage-collect)
//    after a change of writer (40%, in every mix) and, in 40% of the mixes, at random;
//  - the read replicas: one, none (20%: a writer alone, whose own reads alone hold garbage
//    collection back) or two (15%);
//  - 1-3 *focus* storage nodes that node faults aim at (3 in 4), so that faults meet: the node a
//    split leaves to the old writer is the one a crash or a partition hits next;
//  - partitions replace the earlier ones (heal first) with a chance of 50-100%; an automatic
//    failover (the control plane's) follows a fault that takes the writer away, in 2-100ms, in
//    3 seeds out of 4; the chance that a step waits before it (20-80%); the chance (0 or
//    30-70%) of aiming the next steps at the windows the generator's faults opened (a
//    replacement disk hydrating, a new writer recovering);
//  - with `explore_shape::varied`, the shape of the cluster.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aurora/harness/draw_source.hpp"
#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/storage/placement.hpp"

namespace aurora::harness {

// What a step of an explored scenario can be. Client operations are always enabled; every other
// kind is a fault, enabled or not per seed.
enum class explore_kind {
  write,
  read,
  node,  // a storage node crashes or restarts
  az,    // an AZ's storage nodes crash or restart
  destroy,
  partition,           // a node or AZ cut off from every other node and instance
  storage_partition,   // a node or AZ cut off from the other storage nodes only
  instance_partition,  // an instance cut off from some or all storage nodes
  split,               // an instance reaching only 0-2 storage nodes, themselves cut off
  heal,
  loss,
  duplicate,
  delay,
  slow,
  instance,  // a database instance crashes or restarts
  failover,
  burst,  // 2-3 faults at nearly the same time
};

inline constexpr std::size_t explore_kind_count = 17;
inline constexpr std::array<std::string_view, explore_kind_count> explore_kind_names = {
    "write",
    "read",
    "node",
    "az",
    "destroy",
    "partition",
    "storage-partition",
    "instance-partition",
    "split",
    "heal",
    "loss",
    "duplicate",
    "delay",
    "slow",
    "instance",
    "failover",
    "burst"};

static_assert(explore_kind_count == static_cast<std::size_t>(explore_kind::burst) + 1,
              "one name per explore_kind");

inline std::string_view to_string(explore_kind kind) {
  return explore_kind_names[static_cast<std::size_t>(kind)];
}

inline bool is_client_kind(explore_kind kind) {
  return kind == explore_kind::write || kind == explore_kind::read;
}

inline bool is_partition_kind(explore_kind kind) {
  return kind == explore_kind::partition || kind == explore_kind::storage_partition ||
         kind == explore_kind::instance_partition || kind == explore_kind::split;
}

inline std::string_view to_string(fault_profile profile) {
  return profile == fault_profile::safe ? "safe" : "beyond";
}

inline std::optional<fault_profile> parse_fault_profile(std::string_view name) {
  if (name == "safe") return fault_profile::safe;
  if (name == "beyond") return fault_profile::beyond;
  return std::nullopt;
}

// The shape of the cluster: `fixed` is the fault properties' (one protection group, two nodes
// per AZ, so PG 0 is on a1 a2 b1 b2 c1 c2); `varied` samples 1-2 protection groups and 2-3 nodes
// per AZ per seed, which reaches placements the properties never see (several PGs on the same
// nodes, or spread over more of them; a key's PG idle while another moves VDL on).
enum class explore_shape { fixed, varied };

inline std::string_view to_string(explore_shape shape) {
  return shape == explore_shape::fixed ? "fixed" : "varied";
}

inline std::optional<explore_shape> parse_explore_shape(std::string_view name) {
  if (name == "fixed") return explore_shape::fixed;
  if (name == "varied") return explore_shape::varied;
  return std::nullopt;
}

// Named bounds of the explorer.
struct explore_limits {
  static constexpr int max_steps = 10'000;
  static constexpr int max_weight = 6;  // an enabled kind weighs 1..max_weight
  // A seed switches on 1..max_families families of fault kinds (fault_families), and in each
  // family each kind with this chance (at least one). Few kinds at a time make quiet runs where
  // the faults that are on meet often; families keep kinds that work together together.
  static constexpr int max_families = 3;
  static constexpr int family_kind_percent = 60;
  static constexpr sim::duration op_timeout = sim::ms(200);  // as in the fault properties
  // Mixes in which the model's control plane also fails a crashed writer over (`detection_time`).
  static constexpr int control_plane_failover_percent = 35;
  // Mixes with long-running transactions (`write ... hold`): that share of their writes is held
  // open 1..max_hold before it commits.
  static constexpr int hold_mix_percent = 20;
  static constexpr int hold_low = 5, hold_high = 30;  // percent of writes held
  static constexpr sim::duration max_hold = sim::ms(300);
  // Mixes in which the promoted instance takes time to come back (`promotion_time`), and in which
  // DNS answers the old writer for a while after a failover (`dns_propagation`): 1..max.
  static constexpr int promotion_mix_percent = 20;
  static constexpr int propagation_mix_percent = 20;
  static constexpr sim::duration max_control_plane_step = sim::ms(50);
  // Read replicas: one in most mixes (a failover target); none in `no_replica_percent` of them
  // (a writer alone: garbage collection then waits for the writer's own reads only, and a
  // failover can only restart the writer in place); two in `two_replicas_percent` (a failover
  // picks one of them, a lagging one too).
  static constexpr int no_replica_percent = 20;
  static constexpr int two_replicas_percent = 15;
  static constexpr int max_protection_groups = 2;  // `varied`: 1..2
  static constexpr int max_nodes_per_az = 3;       // `varied`: 2..3
  static constexpr int max_focus = 3;              // focus storage nodes per seed: 1..3
  static constexpr int focus_percent = 75;         // a node fault aims at a focus node
  static constexpr int max_burst = 3;              // faults in a burst: 2..3
  // A write transaction writes 1..max_keys_per_write distinct keys (at most LAL of them: a
  // transaction longer than LAL is refused); each further key lands, with this chance, in a
  // protection group the transaction has not reached yet (when there is one), so that with 2+
  // PGs VCL can stop inside a transaction (VDL < VCL).
  static constexpr int max_keys_per_write = 4;
  static constexpr int spread_percent = 60;
  // A small LSN allocation limit, drawn by this share of the mixes, so that LAL binds.
  static constexpr int small_lal_percent = 25;
  static constexpr int small_lal_low = 2, small_lal_high = 8;
  // Hot bursts (`draw_hot_burst`): writes around a read of a key not written since the writer
  // changed. The first client draw within `hot_after_change` of a writer change (a failover, a
  // restart of the writer) is one with `hot_after_change_percent`, in every mix; in
  // `hot_mix_percent` of the mixes, any write is one 2-8% of the time. (They cost: a dozen
  // steps each. These rates keep explore within a few percent of its speed without them.)
  static constexpr int hot_after_change_percent = 40;
  static constexpr sim::duration hot_after_change = sim::ms(50);
  static constexpr int hot_mix_percent = 40;
  static constexpr int hot_low = 2, hot_high = 8;
  // Windows the generator aims steps at: while the replacement of a destroyed disk arrives
  // (repair_delay, 20ms) and hydrates, and while a new writer recovers (a couple of ms). A wait
  // drawn while one is open stays inside it, and a step inside a hydration window is a fault,
  // each with the mix's `window_percent`. (Turning the steps of the short recovery window into
  // faults too would take the client operations that follow a failover, which the bugs of
  // recovery need: the writes that move VDL past what it truncated, the reads that follow.)
  static constexpr sim::duration hydration_window = sim::ms(30);
  static constexpr sim::duration recovery_window = sim::ms(3);
  static constexpr int window_mix_percent = 67;            // mixes that aim at windows at all
  static constexpr int window_low = 30, window_high = 70;  // ... with this chance per draw
};

// The intensities a seed may draw (each spread log-uniformly over its range: `draw_spread`).
struct fault_intensity_ranges {
  static constexpr int loss_low = 5, loss_high = 50;              // percent
  static constexpr int duplicate_low = 10, duplicate_high = 100;  // percent
  static constexpr int delay_low = 10, delay_high = 100;          // percent
  static constexpr int delay_ms_low = 1, delay_ms_high = 200;     // extra latency
  static constexpr int slow_ms_low = 1, slow_ms_high = 50;        // extra latency
};

// The sampled shape of one seed's run: the swarm parameters.
struct fault_mix {
  std::array<int, explore_kind_count> weights{};  // 0: the kind is switched off
  int advance_percent = 50;                       // chance that a step moves time forward before it
  int client_percent = 50;  // chance that a step is a client operation (when some fault is on)
  int replica_read_percent = 50;  // chance that a read goes to a replica, not the writer
  int replace_percent = 50;       // chance that a partition heals the earlier ones first
  int auto_failover_percent = 0;  // chance that taking the writer away brings a failover
  sim::duration detection{};      // ... this long after
  // The control plane's own detection fails a crashed writer over too (`config
  // detection_time=<detection>`): the scenario shows no step for those failovers.
  bool control_plane_failover = false;
  // How each client c1, c2, ... reaches the endpoints (`client` statements): mostly through DNS
  // with the TTL, some caching for ever or for a while, some topology-aware or through the proxy.
  std::vector<ops::client_options> client_paths;
  int hold_percent = 0;             // chance that a write is held open before it commits ...
  sim::duration max_hold{};         // ... for up to this long
  sim::duration promotion{};        // `promotion_time` (0: at once)
  sim::duration dns_propagation{};  // `dns_propagation` (0: none)
  int protection_groups = 1;
  int nodes_per_az = 2;
  int loss_percent = 0;       // `loss P%` when loss is switched on
  int duplicate_percent = 0;  // `duplicate P%`
  int delay_percent = 0;      // `delay P% D`
  sim::duration delay_extra{};
  sim::duration slow_extra{};      // `slow <name> D`
  int lal = 0;                     // a small LSN allocation limit (`config lal=N`); 0: the model's
  int keys_per_write = 1;          // a write transaction writes 1 to this many keys
  int hot_percent = 0;             // chance that a write is a hot burst (`draw_hot_burst`)
  int window_percent = 0;          // chance of a wait inside an open window, of a fault in one
  int replicas = 1;                // read replicas (`config replicas=N`): 0, 1 or 2
  std::vector<std::string> focus;  // storage nodes most node faults aim at
  // The workload's skew: per key of `swarm_names::keys`, how much it is written and read (a key
  // read often and written rarely sits in a PG that stays idle while others move VDL on).
  std::vector<int> write_weights, read_weights;

  [[nodiscard]] int weight(explore_kind kind) const {
    return weights[static_cast<std::size_t>(kind)];
  }
  [[nodiscard]] bool enabled(explore_kind kind) const { return weight(kind) > 0; }
  [[nodiscard]] int total_weight() const {
    int total = 0;
    for (const int each : weights) total += each;
    return total;
  }
  // "write=3 read=2 duplicate=4 slow=1 | clients 45% (writes/reads per key: 2/1 0/3 1/1),
  // replicas 1, replica reads 30%, up to 3 keys a write, hot bursts 7%, lal 4 | partitions replace
  // 80% | auto failover 70% after 12ms | duplicate 35%, slow 20ms | focus b2 | windows 40% |
  // advance 40%": the enabled kinds with their weights, the workload (its small LAL if any),
  // partitions, automatic failover, the intensities of the enabled message faults, the focus
  // nodes, the chance of aiming at a window, and the chance that a step waits before it.
  [[nodiscard]] std::string describe() const {
    std::string text;
    for (std::size_t index = 0; index < explore_kind_count; ++index) {
      if (weights[index] == 0) continue;
      text += std::string(explore_kind_names[index]) + "=" + std::to_string(weights[index]) + " ";
    }
    return text + "| clients " + std::to_string(client_percent) + "%" + workload() + ", replicas " +
           std::to_string(replicas) + ", replica reads " + std::to_string(replica_read_percent) +
           "%, up to " + std::to_string(keys_per_write) + " keys a write, hot bursts " +
           std::to_string(hot_percent) + "%" + (lal > 0 ? ", lal " + std::to_string(lal) : "") +
           " | partitions replace " + std::to_string(replace_percent) + "% | " + failover_text() +
           " |" + intensities() + " | focus " + focus_text() + " | windows " +
           std::to_string(window_percent) + "% | advance " + std::to_string(advance_percent) + "%";
  }

 private:
  // ", clients: 3 cache DNS longer, 2 follow the writer" (nothing when every client uses DNS
  // with the TTL).
  [[nodiscard]] std::string clients_text() const {
    int longer = 0;
    int follow = 0;
    for (const ops::client_options& each : client_paths) {
      if (each.via != ops::client_path::dns) {
        ++follow;
      } else if (each.caching != ops::dns_caching::ttl) {
        ++longer;
      }
    }
    if (longer + follow == 0) return "";
    return ", clients: " + std::to_string(longer) + " cache DNS longer, " + std::to_string(follow) +
           " follow the writer";
  }

  [[nodiscard]] std::string failover_text() const {
    std::string text = "auto failover " + std::to_string(auto_failover_percent) + "% after " +
                       sim::to_string(detection) +
                       (control_plane_failover ? ", by the control plane too" : "");
    if (promotion > sim::us(0)) text += ", promotion " + sim::to_string(promotion);
    if (dns_propagation > sim::us(0))
      text += ", DNS propagation " + sim::to_string(dns_propagation);
    if (hold_percent > 0) text += ", " + std::to_string(hold_percent) + "% of writes held";
    return text;
  }

  [[nodiscard]] std::string intensities() const {
    std::string text;
    auto add = [&text](const std::string& item) { text += (text.empty() ? " " : ", ") + item; };
    if (enabled(explore_kind::loss)) add("loss " + std::to_string(loss_percent) + "%");
    if (enabled(explore_kind::duplicate)) {
      add("duplicate " + std::to_string(duplicate_percent) + "%");
    }
    if (enabled(explore_kind::delay)) {
      add("delay " + std::to_string(delay_percent) + "% " + sim::to_string(delay_extra));
    }
    if (enabled(explore_kind::slow)) add("slow " + sim::to_string(slow_extra));
    return text.empty() ? " no message faults" : text;
  }
  // " (writes/reads per key: 2/1 0/3 1/1)"
  [[nodiscard]] std::string workload() const {
    std::string text;
    for (std::size_t index = 0; index < write_weights.size(); ++index) {
      text +=
          " " + std::to_string(write_weights[index]) + "/" + std::to_string(read_weights[index]);
    }
    return text.empty() ? text : " (writes/reads per key:" + text + ")";
  }
  [[nodiscard]] std::string focus_text() const {
    std::string text;
    for (const std::string& node : focus) text += (text.empty() ? "" : ",") + node;
    return text;
  }
};

// The names a generator draws from, all taken from the configuration.
struct swarm_names {
  std::vector<std::string> nodes;       // a1..cN
  std::vector<std::string> instances;   // db1..db(1+replicas)
  std::vector<char> instance_azs;       // the AZ each instance lives in
  std::vector<std::string> keys;        // x y z, and a key for every PG they do not reach
  std::vector<storage::pg_id> key_pgs;  // the protection group of each key (the model's placement)
  std::vector<std::string> clients = client_names();
  sim::duration op_timeout;  // how long a client may stay busy with one operation
  std::size_t max_keys;      // keys per write transaction: at most LAL, or it is refused
  // The instance the generator believes is the writer (index in `instances`): db1, then the
  // target of each failover it drew. Faults that aim at an instance aim at it more often.
  std::size_t writer = 0;
  // The generator believes that writer is recovering (`swarm_clock::recovering_at`): an
  // `instance` fault aims at it as the other instance faults do.
  bool recovering = false;

  explicit swarm_names(const config& settings)
      : nodes(storage_node_names(settings)),
        instances(instance_names(settings)),
        instance_azs(instance_azs_of(settings)),
        keys(keys_for(settings)),
        key_pgs(pgs_of(settings, keys)),
        op_timeout(settings.op_timeout),
        max_keys(static_cast<std::size_t>(
            std::min<std::int64_t>(explore_limits::max_keys_per_write,
                                   settings.lal.value_or(explore_limits::max_keys_per_write)))) {}

  static std::vector<char> instance_azs_of(const config& settings) {
    std::vector<char> azs;
    for (int number = 1; number <= 1 + settings.replicas; ++number) {
      azs.push_back(settings.instance(number).az);
    }
    return azs;
  }

  // c1..c16: enough that an operation rarely finds every client busy (an operation that gets no
  // answer keeps its client for op_timeout), a hot burst's dozen operations included.
  static std::vector<std::string> client_names() {
    std::vector<std::string> names;
    for (int index = 1; index <= 16; ++index) names.push_back("c" + std::to_string(index));
    return names;
  }

  // x, y and z, then the first of k, u, v, w, k1, k2, ... that lands in each protection group
  // they miss (with two PGs, x, y and z are all in PG 1, and k is in PG 0), so that writes reach
  // every PG. Placement is the model's own (storage/placement.hpp).
  static std::vector<std::string> keys_for(const config& settings) {
    const storage::placement where(
        {settings.protection_groups, settings.nodes_per_az, ops::setup{}.pages_per_pg});
    std::vector<std::string> keys{"x", "y", "z"};
    std::vector<bool> reached(static_cast<std::size_t>(settings.protection_groups), false);
    for (const std::string& key : keys) reached[where.pg_of(where.page_of(key))] = true;
    std::vector<std::string> candidates{"k", "u", "v", "w"};
    for (int index = 1; index <= 1'000; ++index) candidates.push_back("k" + std::to_string(index));
    for (const std::string& key : candidates) {
      if (std::find(reached.begin(), reached.end(), false) == reached.end()) break;
      const auto pg = where.pg_of(where.page_of(key));
      if (reached[pg]) continue;
      reached[pg] = true;
      keys.push_back(key);
    }
    return keys;
  }

  static std::vector<storage::pg_id> pgs_of(const config& settings,
                                            const std::vector<std::string>& keys) {
    const storage::placement where(
        {settings.protection_groups, settings.nodes_per_az, ops::setup{}.pages_per_pg});
    std::vector<storage::pg_id> pgs;
    for (const std::string& key : keys) pgs.push_back(where.pg_of(where.page_of(key)));
    return pgs;
  }
};

namespace detail {

template <class source>
int weight_draw(source& draw) {
  return draw_int(draw, 1, explore_limits::max_weight);
}

// The fault kinds in families, so that a seed switches on kinds that work together: message
// faults with each other, partitions with heal, the writer's faults (crash, failover, split)
// with each other. `split` is both a partition and a writer's fault, so it is in both.
inline const std::vector<std::vector<explore_kind>>& fault_families() {
  using kind = explore_kind;
  static const std::vector<std::vector<explore_kind>> families{
      {kind::node, kind::az, kind::destroy},
      {kind::loss, kind::duplicate, kind::delay, kind::slow},
      {kind::partition, kind::storage_partition, kind::instance_partition, kind::split, kind::heal},
      {kind::instance, kind::failover, kind::split, kind::burst}};
  return families;
}

// Client kinds are always on; then 1..max_families families are switched on, and in each, every
// kind with `family_kind_percent` (at least one), each enabled kind with a weight.
template <class source>
void draw_weights(source& draw, fault_mix& mix) {
  mix.weights[static_cast<std::size_t>(explore_kind::write)] = weight_draw(draw);
  mix.weights[static_cast<std::size_t>(explore_kind::read)] = weight_draw(draw);
  std::vector<std::size_t> families(fault_families().size());
  for (std::size_t index = 0; index < families.size(); ++index) families[index] = index;
  const int count = draw_int(draw, 1, explore_limits::max_families);
  for (int chosen = 0; chosen < count; ++chosen) {
    const auto at = static_cast<std::ptrdiff_t>(draw.below(families.size()));
    const std::vector<explore_kind>& family =
        fault_families()[families[static_cast<std::size_t>(at)]];
    families.erase(families.begin() + at);
    bool any = false;
    for (const explore_kind kind : family) {
      if (!draw.percent(explore_limits::family_kind_percent)) continue;
      mix.weights[static_cast<std::size_t>(kind)] = weight_draw(draw);
      any = true;
    }
    if (!any) mix.weights[static_cast<std::size_t>(pick(draw, family))] = weight_draw(draw);
  }
}

// 1..max_focus distinct storage nodes, in the configuration's order.
template <class source>
std::vector<std::string> draw_focus(source& draw, const std::vector<std::string>& nodes) {
  std::vector<std::string> left = nodes;
  std::vector<std::string> focus;
  const int count = draw_int(draw, 1, explore_limits::max_focus);
  for (int index = 0; index < count && !left.empty(); ++index) {
    const auto at = static_cast<std::ptrdiff_t>(draw.below(left.size()));
    focus.push_back(left[static_cast<std::size_t>(at)]);
    left.erase(left.begin() + at);
  }
  std::sort(focus.begin(), focus.end(), [&nodes](const std::string& a, const std::string& b) {
    return std::find(nodes.begin(), nodes.end(), a) < std::find(nodes.begin(), nodes.end(), b);
  });
  return focus;
}

// A value in [low, high] (low >= 1), spread roughly log-uniformly: the range is cut at its two
// geometric thirds and each band is equally likely, so mild intensities are as common as harsh
// ones (at op_timeout 200ms, a delay near 200ms on most messages makes nearly every operation
// time out, which hides most bugs).
template <class source>
int draw_spread(source& draw, int low, int high) {
  const double ratio = std::cbrt(static_cast<double>(high) / low);
  const int first = static_cast<int>(std::lround(low * ratio));
  const int second = static_cast<int>(std::lround(low * ratio * ratio));
  switch (draw.below(3)) {
    case 0: return draw_int(draw, low, first);
    case 1: return draw_int(draw, first, second);
    default: return draw_int(draw, second, high);
  }
}

template <class source>
void draw_intensities(source& draw, fault_mix& mix) {
  using ranges = fault_intensity_ranges;
  mix.loss_percent = draw_spread(draw, ranges::loss_low, ranges::loss_high);
  mix.duplicate_percent = draw_spread(draw, ranges::duplicate_low, ranges::duplicate_high);
  mix.delay_percent = draw_spread(draw, ranges::delay_low, ranges::delay_high);
  mix.delay_extra = sim::ms(draw_spread(draw, ranges::delay_ms_low, ranges::delay_ms_high));
  mix.slow_extra = sim::ms(draw_spread(draw, ranges::slow_ms_low, ranges::slow_ms_high));
}

// Per key a write weight and a read weight, 0..3 each (at least one key of each nonzero).
template <class source>
void draw_workload(source& draw, std::size_t keys, fault_mix& mix) {
  mix.write_weights.assign(keys, 0);
  mix.read_weights.assign(keys, 0);
  for (std::size_t index = 0; index < keys; ++index) {
    mix.write_weights[index] = draw_int(draw, 0, 3);
    mix.read_weights[index] = draw_int(draw, 0, 3);
  }
  if (std::count(mix.write_weights.begin(), mix.write_weights.end(), 0) ==
      static_cast<std::ptrdiff_t>(keys)) {
    mix.write_weights[static_cast<std::size_t>(draw.below(keys))] = 1;
  }
  if (std::count(mix.read_weights.begin(), mix.read_weights.end(), 0) ==
      static_cast<std::ptrdiff_t>(keys)) {
    mix.read_weights[static_cast<std::size_t>(draw.below(keys))] = 1;
  }
}

// The swarm parameters of one run. The shape is drawn in both modes (and `fixed` overrides it),
// so a seed's other parameters do not depend on the mode; the focus nodes are drawn from the
// shape the run uses.
template <class source>
fault_mix sample_fault_mix(source& draw, explore_shape shape, int fixed_protection_groups = 1,
                           int fixed_nodes_per_az = 2) {
  fault_mix mix;
  const int protection_groups = draw_int(draw, 1, explore_limits::max_protection_groups);
  const int nodes_per_az = draw_int(draw, 2, explore_limits::max_nodes_per_az);
  const bool varied = shape == explore_shape::varied;
  mix.protection_groups = varied ? protection_groups : fixed_protection_groups;
  mix.nodes_per_az = varied ? nodes_per_az : fixed_nodes_per_az;
  mix.advance_percent = draw_int(draw, 20, 80);
  mix.client_percent = draw_int(draw, 40, 95);
  mix.replica_read_percent = draw_int(draw, 0, 100);
  mix.replace_percent = draw_int(draw, 50, 100);
  mix.auto_failover_percent = draw.percent(25) ? 0 : draw_int(draw, 50, 100);
  mix.detection = sim::ms(draw_int(draw, 2, 100));
  draw_weights(draw, mix);
  draw_intensities(draw, mix);
  config settings;
  settings.nodes_per_az = mix.nodes_per_az;
  mix.focus = draw_focus(draw, storage_node_names(settings));
  settings.protection_groups = mix.protection_groups;
  draw_workload(draw, swarm_names::keys_for(settings).size(), mix);
  using limits = explore_limits;
  mix.lal = draw.percent(limits::small_lal_percent)
                ? draw_int(draw, limits::small_lal_low, limits::small_lal_high)
                : 0;
  mix.keys_per_write = draw_int(draw, 1, limits::max_keys_per_write);
  mix.hot_percent =
      draw.percent(limits::hot_mix_percent) ? draw_int(draw, limits::hot_low, limits::hot_high) : 0;
  mix.window_percent = draw.percent(limits::window_mix_percent)
                           ? draw_int(draw, limits::window_low, limits::window_high)
                           : 0;
  const std::uint64_t replica_band = draw.below(100);
  mix.replicas = replica_band < limits::no_replica_percent                                  ? 0
                 : replica_band < limits::no_replica_percent + limits::two_replicas_percent ? 2
                                                                                            : 1;
  // Drawn last, so that the rest of a seed's mix is what it was before this existed.
  mix.control_plane_failover = draw.percent(limits::control_plane_failover_percent);
  for (std::size_t index = 0; index < swarm_names::client_names().size(); ++index) {
    ops::client_options options;
    const std::uint64_t kind = draw.below(100);
    if (kind < 8) {
      options.caching = ops::dns_caching::forever;
    } else if (kind < 13) {
      options.caching = ops::dns_caching::fixed;
      options.cache_for = sim::ms(draw_int(draw, 1, 30'000));
    } else if (kind < 19) {
      options.via = ops::client_path::smart;
    } else if (kind < 25) {
      options.via = ops::client_path::proxy;
    }
    mix.client_paths.push_back(options);
  }
  // Drawn after the clients, for the same reason.
  if (draw.percent(limits::hold_mix_percent)) {
    mix.hold_percent = draw_int(draw, limits::hold_low, limits::hold_high);
    mix.max_hold = limits::max_hold;
  }
  const auto control_plane_step = [&draw](int percent) {
    if (!draw.percent(percent)) return sim::us(0);
    return sim::us(
        draw_int(draw, 1'000, static_cast<int>(limits::max_control_plane_step.count_us())));
  };
  mix.promotion = control_plane_step(limits::promotion_mix_percent);
  mix.dns_propagation = control_plane_step(limits::propagation_mix_percent);
  return mix;
}

}  // namespace detail
}  // namespace aurora::harness
