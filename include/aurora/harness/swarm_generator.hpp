// The swarm generator: from a fault mix, one draw at a time, a wait and a batch of steps.
//
// The generator is written once, as templates on a *draw source* (`below`, `uniform`,
// `percent`), and used twice: here with `sim::random`, and by the fault properties
// (property-tests/fault_commands.hpp) with rapidcheck's shrinkable draws. Its state between
// draws (`swarm_clock`: time, busy clients, the writer it believes in, a scheduled failover, its
// last change of the writer, the windows it opened) is its own: it never looks at the model.
// A batch is one step of an enabled kind (swarm_steps.hpp), a burst of 2-3 faults at nearly the
// same time, or a hot burst of client operations around a read; a due automatic failover (the
// control plane's, as the generator plays it) joins the batch whose time passes it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/explore_mix.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/swarm_steps.hpp"
#include "aurora/ops/action.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness {

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
  read_op read{key, {}};
  if (idle && draw.percent(mix.replica_read_percent)) {
    read.from = draw.percent(50) ? ops::endpoint::reader()
                                 : ops::endpoint::instance(draw_replica(draw, names));
  }
  step reading;
  reading.what = std::move(read);
  out.steps.push_back({offset, explore_kind::read, std::move(reading)});
  const int after = !draw.percent(90) ? 0 : idle ? draw_int(draw, 1, 2) : draw_int(draw, 1, 4);
  for (int index = 0; index < after; ++index) {
    add_write(!idle && draw.percent(50), sim::us(draw.uniform(300, 2'000)));
  }
}

// A drawn failover moves the generator's idea of the writer as `ops::control_plane` would: to the
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

// True when `made` takes the writer (as the generator believes) away: it or its AZ crashes, or a
// partition leaves it (or its AZ) alone on its side against most of the storage nodes.
inline bool takes_writer_away(const swarm_names& names, const step& made) {
  const auto* fault = std::get_if<sim::fault>(&made.what);
  if (fault == nullptr) return false;
  const std::string& writer = names.instances[names.writer];
  const std::string writer_az(1, names.instance_azs[names.writer]);
  const auto holds_writer = [&](const sim::target& what) {
    return what.name == (what.is_az ? writer_az : writer);
  };
  if (const auto* down = std::get_if<sim::crash>(fault)) return holds_writer(down->what);
  const auto* cut = std::get_if<sim::partition>(fault);
  if (cut == nullptr) return false;
  auto alone = [&](const std::vector<sim::target>& side) {
    return side.size() == 1 && holds_writer(side.front());
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

}  // namespace detail
}  // namespace aurora::harness
