// Swarm exploration: one seed in, one random faulty run out, judged by every invariant.
//
// This is the deterministic-simulation style of TigerBeetle's VOPR and FoundationDB's simulator:
// a seed determines everything about a run, so a failure is reproduced from its seed alone.
// From `sim::random(seed).fork()` we first sample a *fault mix* (swarm testing, Groce et al.
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
//
// The generator is written once, as templates on a *draw source* (`below`, `uniform`,
// `percent`), and used twice: here with `sim::random`, and by the fault properties
// (property-tests/fault_commands.hpp) with rapidcheck's shrinkable draws. Its state between
// draws (`swarm_clock`: time, busy clients, the writer it believes in, a scheduled failover, its
// last change of the writer, the windows it opened) is its own: it never looks at the model.
//
// A fault is kept only if `within_profile` accepts it against the live model (as the previous
// step left it, like the fault properties), so the run is built step by step with
// `runner::perform_now` and then `runner::finish`, exactly the calls `runner::run` makes, and
// the scenario returned (the steps actually performed) replays identically with
// `aurora-harness run`. That is why there is no `explore_scenario(seed)`: which faults survive
// depends on the model's state.
// Deliberately left out: shrinking (the property tests do that with rapidcheck; this file must
// not depend on it), and partitions of clients (the scenario language cannot name them).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"
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
           " | partitions replace " + std::to_string(replace_percent) + "% | auto failover " +
           std::to_string(auto_failover_percent) + "% after " + sim::to_string(detection) + " |" +
           intensities() + " | focus " + focus_text() + " | windows " +
           std::to_string(window_percent) + "% | advance " + std::to_string(advance_percent) + "%";
  }

 private:
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
        keys(keys_for(settings)),
        key_pgs(pgs_of(settings, keys)),
        op_timeout(settings.op_timeout),
        max_keys(static_cast<std::size_t>(
            std::min<std::int64_t>(explore_limits::max_keys_per_write,
                                   settings.lal.value_or(explore_limits::max_keys_per_write)))) {}

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

// One draw of the generator: how long to wait, then one step, or a burst of faults at small
// offsets from the first. Each step keeps the kind it was drawn as.
struct drawn_step {
  sim::duration offset{};  // after the batch's start
  explore_kind kind = explore_kind::write;
  step value;
};
struct drawn_steps {
  sim::duration wait{};
  bool burst = false;
  std::vector<drawn_step> steps;
  bool hot = false;               // a hot burst (`draw_hot_burst`)
  bool hot_decided = false;       // the first client draw after a writer change (hot or not)
  bool failover_emitted = false;  // it holds the scheduled automatic failover
  std::optional<sim::duration> failover_after;  // it schedules one, this long after its start
  [[nodiscard]] sim::duration span() const {
    return steps.empty() ? sim::duration{} : steps.back().offset;
  }
};

// What one explored seed produced.
struct explore_result {
  std::uint64_t seed = 0;
  fault_mix mix;
  scenario plan;                       // the steps actually performed: replays identically
  run_result result;                   // the judgement, as `aurora-harness run` gives it
  int faults_skipped = 0;              // drawn but outside the profile at that moment
  int writes_unavailable = 0;          // stalls: writes not acknowledged within op_timeout
  std::uint64_t events = 0;            // simulated events the run took
  sim::probes probes;                  // the rare paths this run reached
  std::optional<std::string> aborted;  // the run hit a bound (the event limit) and stopped
  [[nodiscard]] bool passed() const { return !aborted && result.passed(); }
};

namespace detail {

// What the generator remembers between draws: the time of the next draw; until when each client
// may still be busy (a client runs one operation at a time; a later one waits for it, up to
// op_timeout, and would then run long after the time the scenario gives it); which instance it
// believes is the writer; a failover it has scheduled (`draw_auto_failover`); when it last
// changed the writer (a failover, or a restart of the writer: the next client draw may be a hot
// burst); and the windows it drew open, which it aims the next steps at: until when a destroyed
// disk's replacement arrives and hydrates, and until when a new writer recovers. All of it is
// what the generator drew, not what the model did (the profile may have left a fault out).
struct swarm_clock {
  sim::time_point now{};
  std::vector<sim::time_point> client_free;  // per client of `swarm_names::clients`
  std::size_t writer = 0;                    // `swarm_names::writer` for the next draw
  std::optional<sim::time_point> failover_due;
  std::optional<sim::time_point> writer_changed;
  std::optional<sim::time_point> hydrating_until;
  std::optional<sim::time_point> recovering_until;

  // The end of the window open at `at` (the later one if both are), if any.
  [[nodiscard]] std::optional<sim::time_point> window_at(sim::time_point at) const {
    std::optional<sim::time_point> end;
    for (const auto& each : {hydrating_until, recovering_until}) {
      if (each && *each > at && (!end || *each > *end)) end = each;
    }
    return end;
  }
  [[nodiscard]] bool recovering_at(sim::time_point at) const {
    return recovering_until && *recovering_until > at;
  }
  [[nodiscard]] bool hydrating_at(sim::time_point at) const {
    return hydrating_until && *hydrating_until > at;
  }
};

// The generator's stream: forked from `sim::random(seed)`, so it is independent of the model's
// own stream (which is seeded with the same seed).
inline sim::random explore_stream(std::uint64_t seed) { return sim::random(seed).fork(); }

// ---- The generator, on any draw source ------------------------------------------------------
// A draw source has `below(n)` (uniform in [0, n)), `uniform(low, high)` (both included) and
// `percent(p)` (true with probability p/100): `sim::random` is one.

template <class source, class T>
const T& pick(source& draw, const std::vector<T>& choices) {
  AURORA_ASSERT(!choices.empty(), "pick needs something to choose from");
  return choices[static_cast<std::size_t>(draw.below(choices.size()))];
}

template <class source>
int draw_int(source& draw, int low, int high) {
  return static_cast<int>(draw.uniform(low, high));
}

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
  return mix;
}

// A kind drawn by weight among `mix`'s enabled kinds for which `allowed` holds.
template <class source, class filter>
std::optional<explore_kind> draw_kind_where(source& draw, const fault_mix& mix, filter allowed) {
  int total = 0;
  for (std::size_t index = 0; index < explore_kind_count; ++index) {
    if (allowed(static_cast<explore_kind>(index))) total += mix.weights[index];
  }
  if (total == 0) return std::nullopt;
  auto left = static_cast<int>(draw.below(static_cast<std::uint64_t>(total)));
  for (std::size_t index = 0; index < explore_kind_count; ++index) {
    if (!allowed(static_cast<explore_kind>(index))) continue;
    left -= mix.weights[index];
    if (left < 0) return static_cast<explore_kind>(index);
  }
  AURORA_ASSERT(false, "a weighted draw lands on some kind");
  return std::nullopt;
}

// A client operation with the mix's `client_percent` chance, else a fault of an enabled kind
// (each by weight within its group); only client operations when no fault kind is on. While a
// replacement hydrates (`swarm_clock::hydrating_at`) it is a fault with the mix's
// `window_percent` first.
template <class source>
explore_kind draw_kind(source& draw, const fault_mix& mix, bool hydrating = false) {
  const bool client =
      !(hydrating && draw.percent(mix.window_percent)) && draw.percent(mix.client_percent);
  const std::optional<explore_kind> kind = draw_kind_where(
      draw, mix, [client](explore_kind each) { return is_client_kind(each) == client; });
  if (kind) return *kind;
  return *draw_kind_where(draw, mix, [](explore_kind each) { return is_client_kind(each); });
}

// Time to the next step: often none (steps race), mostly small, sometimes long enough for
// timeouts, repair and recovery.
template <class source>
sim::duration draw_wait_length(source& draw) {
  const std::uint64_t band = draw.below(10);
  if (band < 6) return sim::us(draw.uniform(0, 2'000));
  if (band < 9) return sim::us(draw.uniform(2'000, 50'000));
  return sim::us(draw.uniform(50'000, 1'500'000));
}

// A wait inside the window open at `clock.now`, if any, with the mix's `window_percent`; else
// as above.
template <class source>
sim::duration draw_wait_length(source& draw, const fault_mix& mix, const swarm_clock& clock) {
  const std::optional<sim::time_point> window = clock.window_at(clock.now);
  if (window && draw.percent(mix.window_percent)) {
    return sim::us(draw.uniform(0, (*window - clock.now).count_us()));
  }
  return draw_wait_length(draw);
}

template <class source>
sim::duration draw_wait(source& draw, const fault_mix& mix, const swarm_clock& clock) {
  if (!draw.percent(mix.advance_percent)) return sim::us(0);
  return draw_wait_length(draw, mix, clock);
}

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
  return pick(draw, std::vector<std::string>{"a", "b", "c"});
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

// One focus node or one AZ, and every other storage node.
struct node_cut {
  sim::target cut;
  std::vector<sim::target> other_nodes;
};
template <class source>
node_cut draw_node_cut(source& draw, const fault_mix& mix, const swarm_names& names) {
  node_cut made;
  if (draw.percent(50)) {
    const std::string az = draw_az(draw);
    made.cut = {az, true};
    for (const char* other : {"a", "b", "c"}) {
      if (az != other) made.other_nodes.push_back({other, true});
    }
    return made;
  }
  made.cut = {draw_node(draw, mix, names), false};
  for (const std::string& other : names.nodes) {
    if (other != made.cut.name) made.other_nodes.push_back({other, false});
  }
  return made;
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

// `partition`: a node or AZ cut off from every other node and instance.
template <class source>
sim::partition draw_isolation(source& draw, const fault_mix& mix, const swarm_names& names) {
  node_cut made = draw_node_cut(draw, mix, names);
  std::vector<sim::target> rest = made.other_nodes;
  for (const std::string& instance : names.instances) rest.push_back({instance, false});
  return draw_direction(draw, {made.cut}, std::move(rest));
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

// `storage-partition`: a node or AZ cut off from the other storage nodes, not from instances.
template <class source>
sim::partition draw_storage_partition(source& draw, const fault_mix& mix,
                                      const swarm_names& names) {
  node_cut made = draw_node_cut(draw, mix, names);
  return draw_direction(draw, {made.cut}, std::move(made.other_nodes));
}

// The storage nodes an instance is cut off from: all of them, all but one focus node (which
// then alone hears the instance), the focus nodes, or one AZ.
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
    default: return {{draw_az(draw), true}};
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
  return write;
}

// Through the writer endpoint, or with the mix's `replica_read_percent` chance through the
// reader endpoint or a named instance (mostly a replica), half of those each.
template <class source>
read_op draw_read(source& draw, const fault_mix& mix, const swarm_names& names) {
  read_op read{draw_key(draw, mix.read_weights, names), std::nullopt};
  if (!draw.percent(mix.replica_read_percent)) return read;
  read.from = draw.percent(50) ? std::string("reader") : draw_replica(draw, names);
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

// Appends the step(s) of one kind at `offset`: a split is two partitions at once.
template <class source>
void draw_into(source& draw, explore_kind kind, sim::duration offset, const fault_mix& mix,
               const swarm_names& names, drawn_steps& out) {
  if (is_partition_kind(kind) && draw.percent(mix.replace_percent)) {
    step heal;
    heal.what = sim::fault{sim::heal{}};
    out.steps.push_back({offset, explore_kind::heal, std::move(heal)});
  }
  if (kind != explore_kind::split) {
    out.steps.push_back({offset, kind, draw_one(draw, kind, mix, names)});
    return;
  }
  for (sim::partition& cut : draw_split(draw, mix, names)) {
    step made;
    made.what = sim::fault{std::move(cut)};
    out.steps.push_back({offset, kind, std::move(made)});
  }
}

// How long after the previous fault of a burst the next one comes: at the same instant, during
// the recovery a failover starts (a few ms), or while a replacement disk hydrates (tens of ms).
template <class source>
sim::duration draw_burst_gap(source& draw) {
  switch (draw.below(3)) {
    case 0: return sim::us(0);
    case 1: return sim::us(draw.uniform(0, 3'000));
    default: return sim::us(draw.uniform(3'000, 40'000));
  }
}

// The first fault of a burst: a failover, a destroyed disk, or the crash of an instance or an
// AZ (each starts a recovery or a repair for the next faults to land in).
template <class source>
void draw_trigger(source& draw, const fault_mix& mix, const swarm_names& names, drawn_steps& out) {
  const std::uint64_t which = draw.below(4);
  if (which == 0) return draw_into(draw, explore_kind::failover, sim::us(0), mix, names, out);
  if (which == 1) return draw_into(draw, explore_kind::destroy, sim::us(0), mix, names, out);
  step made;
  explore_kind kind = explore_kind::instance;
  made.what = sim::fault{sim::crash{{pick(draw, names.instances), false}}};
  if (which == 3) {
    kind = explore_kind::az;
    made.what = sim::fault{sim::crash{{draw_az(draw), true}}};
  }
  out.steps.push_back({sim::us(0), kind, std::move(made)});
}

// A burst: a trigger, then 1-2 faults of the seed's enabled kinds right after it (a partition
// or a node crash or restart if no other fault kind is enabled).
template <class source>
void draw_burst(source& draw, const fault_mix& mix, const swarm_names& names, drawn_steps& out) {
  draw_trigger(draw, mix, names, out);
  const int followers = draw_int(draw, 1, explore_limits::max_burst - 1);
  sim::duration offset{};
  for (int index = 0; index < followers; ++index) {
    offset = offset + draw_burst_gap(draw);
    const std::optional<explore_kind> drawn = draw_kind_where(draw, mix, [](explore_kind kind) {
      return !is_client_kind(kind) && kind != explore_kind::burst;
    });
    const explore_kind kind =
        drawn ? *drawn : (draw.percent(50) ? explore_kind::partition : explore_kind::node);
    draw_into(draw, kind, offset, mix, names, out);
  }
}

// A hot burst: client operations around a read of a key K (by the read weights) that was not
// written since the writer changed, while writes move VDL on. Two shapes:
//  - garbage collection (always with one PG, else half the time): writes to K's PG around a read
//    of K through the writer, so that VDL passes the read while it is in flight and segments
//    garbage-collect meanwhile (they fold their hot log once it holds 16 records, below the lowest
//    read point in flight). First 2-6 writes of the PG's other keys (1-3 per transaction; K
//    itself when it is alone in its PG), 0-0.5ms apart, fill the hot log; then, within 1ms, the
//    read (it goes to storage: after a failover or a restart of the writer its cache is empty,
//    and while a write of K is in flight the cached version is above VDL); then 1-4 more writes,
//    0.3-2ms apart, half of them of K as well, move VDL on while the read waits for a slow or
//    hedged segment;
//  - an idle PG: 1-2 writes, then 1-2 more after the read, all of keys in the other PGs, so that
//    VDL moves past whatever K's PG last saw (a truncation its segments may have missed); the
//    read goes through the writer, or with the mix's `replica_read_percent` through a replica.
// One time in ten each count is at its least, one write before the read, none after: what
// shrinking reaches (a hot burst is one draw, so its counts must shrink for a counterexample to).
template <class source>
void draw_hot_burst(source& draw, const fault_mix& mix, const swarm_names& names,
                    drawn_steps& out) {
  const std::string key = draw_key(draw, mix.read_weights, names);
  const auto read_index = static_cast<std::size_t>(
      std::find(names.keys.begin(), names.keys.end(), key) - names.keys.begin());
  std::vector<std::size_t> same, elsewhere;  // the other keys of K's PG, the keys of other PGs
  for (std::size_t index = 0; index < names.keys.size(); ++index) {
    if (index == read_index) continue;
    const bool here = names.key_pgs[index] == names.key_pgs[read_index];
    (here ? same : elsewhere).push_back(index);
  }
  const bool idle = !elsewhere.empty() && draw.percent(50);
  std::vector<std::size_t>& writes = idle ? elsewhere : same;
  if (writes.empty()) writes.push_back(read_index);
  const std::size_t most = std::min<std::size_t>(names.max_keys, 3);
  sim::duration offset{};
  auto add_write = [&](bool with_key, sim::duration gap) {
    offset = offset + gap;
    write_op write;
    if (with_key && writes.front() != read_index) {
      write.puts.emplace_back(key, draw.uniform(1, 100));
    }
    add_keys(draw, names, writes, draw_key_count(draw, most) - write.puts.size(), write);
    if (write.puts.empty()) write.puts.emplace_back(key, draw.uniform(1, 100));
    step made;
    made.what = std::move(write);
    out.steps.push_back({offset, explore_kind::write, std::move(made)});
  };
  // The counts shrink to one write before the read and none after (`percent` shrinks to false).
  const int before = !draw.percent(90) ? 1 : idle ? draw_int(draw, 1, 2) : draw_int(draw, 2, 6);
  for (int index = 0; index < before; ++index) {
    add_write(false, sim::us(index == 0 ? 0 : draw.uniform(0, 500)));
  }
  offset = offset + sim::us(draw.uniform(0, 1'000));
  read_op read{key, std::nullopt};
  if (idle && draw.percent(mix.replica_read_percent)) {
    read.from = draw.percent(50) ? std::string("reader") : draw_replica(draw, names);
  }
  step reading;
  reading.what = std::move(read);
  out.steps.push_back({offset, explore_kind::read, std::move(reading)});
  const int after = !draw.percent(90) ? 0 : idle ? draw_int(draw, 1, 2) : draw_int(draw, 1, 4);
  for (int index = 0; index < after; ++index) {
    add_write(!idle && draw.percent(50), sim::us(draw.uniform(300, 2'000)));
  }
}

// A drawn failover moves the generator's idea of the writer as `cluster::failover` would: to the
// named instance, or to the first other instance in db order.
inline void follow_failover(const swarm_names& names, swarm_clock& clock, const step& made) {
  const ops::failover* promote = failover_of(made.what);
  if (promote == nullptr) return;
  for (std::size_t index = 0; index < names.instances.size(); ++index) {
    const bool named = promote->to && names.instances[index] == *promote->to;
    if (named || (!promote->to && index != clock.writer)) {
      clock.writer = index;
      return;
    }
  }
}

// True when `made` takes the writer (as the generator believes) away: it crashes, or a
// partition leaves it alone on its side against most of the storage nodes.
inline bool takes_writer_away(const swarm_names& names, const step& made) {
  const auto* fault = std::get_if<sim::fault>(&made.what);
  if (fault == nullptr) return false;
  const std::string& writer = names.instances[names.writer];
  if (const auto* down = std::get_if<sim::crash>(fault)) return down->what.name == writer;
  const auto* cut = std::get_if<sim::partition>(fault);
  if (cut == nullptr) return false;
  auto alone = [&writer](const std::vector<sim::target>& side) {
    return side.size() == 1 && !side.front().is_az && side.front().name == writer;
  };
  const std::vector<sim::target>& other = alone(cut->left) ? cut->right : cut->left;
  if (!alone(cut->left) && !alone(cut->right)) return false;
  std::size_t storage = 0;
  for (const sim::target& each : other) {
    storage += each.is_az ? names.nodes.size() / 3 : (each.name.substr(0, 2) == "db" ? 0 : 1);
  }
  return 2 * storage > names.nodes.size();
}

// Gives each client operation of `out` a client that is idle at its time (uniformly among
// them; the one idle soonest if none is), so that it starts when the scenario says.
template <class source>
void draw_clients(source& draw, const swarm_names& names, const swarm_clock& clock,
                  drawn_steps& out) {
  std::vector<sim::time_point> free = clock.client_free;
  free.resize(names.clients.size());
  for (drawn_step& each : out.steps) {
    if (!is_client_operation(each.value.what)) continue;
    const sim::time_point at = clock.now + out.wait + each.offset;
    std::vector<std::size_t> idle;
    std::size_t soonest = 0;
    for (std::size_t index = 0; index < names.clients.size(); ++index) {
      if (free[index] <= at) idle.push_back(index);
      if (free[index] < free[soonest]) soonest = index;
    }
    const std::size_t chosen = idle.empty() ? soonest : pick(draw, idle);
    free[chosen] = at + names.op_timeout;
    if (names.clients[chosen] != default_client) each.value.as_client = names.clients[chosen];
  }
}

// The control plane's automatic failover, as the generator plays it: when a draw takes the
// writer away, a failover follows after the seed's detection delay (with the seed's chance),
// and later draws run in between. Emitting the due failover is part of the draw whose time
// passes it.
template <class source>
void draw_auto_failover(source& draw, const fault_mix& mix, const swarm_names& names,
                        const swarm_clock& clock, drawn_steps& out) {
  const sim::time_point start = clock.now + out.wait;
  if (clock.failover_due && *clock.failover_due <= start + out.span()) {
    const sim::duration offset =
        *clock.failover_due > start ? *clock.failover_due - start : sim::us(0);
    step promote;
    promote.what = ops::action{ops::failover{}};
    auto at = std::find_if(out.steps.begin(), out.steps.end(),
                           [offset](const drawn_step& each) { return each.offset > offset; });
    out.steps.insert(at, {offset, explore_kind::failover, std::move(promote)});
    out.failover_emitted = true;
  }
  if (clock.failover_due && !out.failover_emitted) return;  // one at a time
  for (const drawn_step& each : out.steps) {
    if (each.kind == explore_kind::failover || !takes_writer_away(names, each.value)) continue;
    if (draw.percent(mix.auto_failover_percent)) out.failover_after = each.offset + mix.detection;
    return;
  }
}

// The windows a drawn fault at `at` opens: a destroyed disk's replacement (arriving after the
// model's repair delay, then hydrating from its peers), a recovery (a failover, or a restart of
// the writer the generator believes in), which also changes the writer (a hot burst may follow).
inline void open_windows(const swarm_names& names, swarm_clock& clock, const step& made,
                         sim::time_point at) {
  bool recovers = failover_of(made.what) != nullptr;
  const auto* fault = std::get_if<sim::fault>(&made.what);
  if (fault != nullptr && std::holds_alternative<sim::destroy>(*fault)) {
    clock.hydrating_until = at + explore_limits::hydration_window;
  }
  if (const auto* up = fault != nullptr ? std::get_if<sim::restart>(fault) : nullptr) {
    recovers = !up->what.is_az && up->what.name == names.instances[names.writer];
  }
  if (!recovers) return;
  clock.recovering_until = at + explore_limits::recovery_window;
  clock.writer_changed = at;
}

// Moves `clock` past a draw: time, busy clients, the writer, the scheduled failover, the windows
// and the last writer change. The fault properties replay it from the stored draw (after
// shrinking, a draw's time may change).
inline void advance_clock(const swarm_names& names, const drawn_steps& made, swarm_clock& clock) {
  const sim::time_point start = clock.now + made.wait;
  clock.client_free.resize(names.clients.size());
  if (made.hot_decided ||
      (clock.writer_changed && start - *clock.writer_changed > explore_limits::hot_after_change)) {
    clock.writer_changed.reset();
  }
  swarm_names current = names;
  for (const drawn_step& each : made.steps) {
    current.writer = clock.writer;
    open_windows(current, clock, each.value, start + each.offset);
    follow_failover(current, clock, each.value);
    if (!is_client_operation(each.value.what)) continue;
    const std::string client(client_of(each.value));
    for (std::size_t index = 0; index < names.clients.size(); ++index) {
      if (names.clients[index] == client)
        clock.client_free[index] = start + each.offset + names.op_timeout;
    }
  }
  if (made.failover_emitted) clock.failover_due.reset();
  if (made.failover_after) clock.failover_due = start + *made.failover_after;
  clock.now = start + made.span();
}

// A step of an enabled kind (or a burst, or a hot burst) at `clock.now`, with its clients and a
// due automatic failover; `clock` moves on to the end of it. The first client draw soon after
// the generator changed the writer is a hot burst with `hot_after_change_percent` (whatever the
// mix); any other write with the mix's `hot_percent`.
template <class source>
drawn_steps draw_batch(source& draw, const fault_mix& mix, const swarm_names& all_names,
                       swarm_clock& clock) {
  swarm_names names = all_names;
  names.writer = clock.writer;
  names.recovering = clock.recovering_at(clock.now);
  drawn_steps out;
  const explore_kind kind = draw_kind(draw, mix, clock.hydrating_at(clock.now));
  out.burst = kind == explore_kind::burst;
  out.hot_decided = is_client_kind(kind) && clock.writer_changed &&
                    clock.now - *clock.writer_changed <= explore_limits::hot_after_change;
  if (out.hot_decided) {
    out.hot = draw.percent(explore_limits::hot_after_change_percent);
  } else if (kind == explore_kind::write && mix.hot_percent > 0) {
    out.hot = draw.percent(mix.hot_percent);
  }
  if (out.burst) {
    draw_burst(draw, mix, names, out);
  } else if (out.hot) {
    draw_hot_burst(draw, mix, names, out);
  } else {
    draw_into(draw, kind, sim::us(0), mix, names, out);
  }
  draw_clients(draw, names, clock, out);
  draw_auto_failover(draw, mix, names, clock, out);
  advance_clock(all_names, out, clock);
  return out;
}

// The generator's one draw: the wait, then a batch. (The fault properties draw the two as
// separate commands, so that shrinking can drop a step without moving the time of the next.)
template <class source>
drawn_steps draw_steps(source& draw, const fault_mix& mix, const swarm_names& names,
                       swarm_clock& clock) {
  const sim::duration wait = draw_wait(draw, mix, clock);
  clock.now = clock.now + wait;
  drawn_steps out = draw_batch(draw, mix, names, clock);
  out.wait = wait;
  return out;
}

// ---- Explore ----------------------------------------------------------------------------------

inline scenario explore_plan(std::uint64_t seed, const fault_mix& mix,
                             db::teaching_variant variant) {
  scenario plan;
  plan.seed = seed;
  plan.settings.protection_groups = mix.protection_groups;
  plan.settings.nodes_per_az = mix.nodes_per_az;
  plan.settings.replicas = mix.replicas;
  plan.settings.op_timeout = explore_limits::op_timeout;
  plan.settings.variant = variant;
  if (mix.lal > 0) plan.settings.lal = mix.lal;
  return plan;
}

inline int count_unavailable_writes(const scenario& plan, const run_result& result) {
  int stalls = 0;
  for (const step_report& line : result.steps) {
    if (line.index < 0 || line.index >= static_cast<int>(plan.steps.size())) continue;
    const bool write = std::holds_alternative<write_op>(plan.steps[line.index].what);
    if (write && line.outcome == "unavailable") ++stalls;
  }
  return stalls;
}

// Drives the runner: each drawn step is performed at its time, unless it is a fault the profile
// rejects. As in the fault properties, the profile judges the model as the previous step left it
// (time only heals: a replacement hydrates, a repaired node returns), and the model runs only
// inside `perform_now` and `finish`, so a replay of the kept steps makes the very same calls.
inline void drive(explore_result& out, runner& run, sim::random& rng, int steps,
                  fault_profile profile) {
  const swarm_names names(out.plan.settings);
  swarm_clock clock;
  for (int drawn = 0; drawn < steps; ++drawn) {
    const sim::time_point start = clock.now;
    const drawn_steps batch = draw_steps(rng, out.mix, names, clock);
    for (const drawn_step& each : batch.steps) {
      step next = each.value;
      next.at = start + batch.wait + each.offset;
      if (!perform_within_profile(run, out.plan, next, profile)) ++out.faults_skipped;
    }
  }
}

}  // namespace detail

// The fault mix a seed samples (the first draws of its stream).
inline fault_mix explore_mix(std::uint64_t seed, explore_shape shape = explore_shape::fixed) {
  sim::random rng = detail::explore_stream(seed);
  return detail::sample_fault_mix(rng, shape);
}

// Explores one seed: samples its fault mix, builds and runs a scenario of up to `steps` draws
// (a burst draws 2-3 steps; faults outside `profile` are dropped), then runs the final check.
// Deterministic: the same arguments give the same scenario and result on every machine and
// thread.
inline explore_result explore_one(std::uint64_t seed, int steps, fault_profile profile,
                                  db::teaching_variant variant,
                                  explore_shape shape = explore_shape::fixed) {
  if (steps < 0 || steps > explore_limits::max_steps) {
    throw usage_error("explore: steps must be 0.." + std::to_string(explore_limits::max_steps));
  }
  sim::random rng = detail::explore_stream(seed);
  explore_result out;
  out.seed = seed;
  out.mix = detail::sample_fault_mix(rng, shape);
  out.plan = detail::explore_plan(seed, out.mix, variant);
  runner run(out.plan, {});
  try {
    detail::drive(out, run, rng, steps, profile);
    out.result = run.finish();
  } catch (const sim::event_limit_exceeded& error) {
    out.aborted = error.what();
    out.result = run.partial();
  }
  out.result.seed = seed;
  out.writes_unavailable = detail::count_unavailable_writes(out.plan, out.result);
  out.events = run.model().clock().events_run();
  out.probes = run.model().network().probes();
  return out;
}

}  // namespace aurora::harness
