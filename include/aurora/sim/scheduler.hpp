// The discrete-event scheduler: the one clock and the one queue of a run.
//
// Everything in the simulation (message deliveries, timers, client operations, faults) is an
// event: a callable to run at a simulated time. Events run in order of (time, insertion
// sequence), so events at equal times run in the order they were scheduled: that tie-break is
// what makes a run reproducible (DESIGN.md §3, "Determinism rules").
//
// Speed: the queue is a binary heap of 24-byte entries (time, sequence, slot); the callables live
// in a pool of slots reused through a free list, stored inline (inplace_function), so that in the
// steady state scheduling an event allocates nothing. A callable is built in its slot and runs
// there (slots never move: stable_pool.hpp), so it is never moved. Cancelling marks the slot's
// generation; the stale heap entry is skipped when it reaches the top.
//
// Bounds: the runaway guard stops a run with `event_limit_exceeded` when events pile up faster
// than simulated time advances: at most `burst` events at one simulated instant, and `per_us`
// more for every simulated microsecond that passes (a token bucket over simulated time). A
// model bug that schedules forever without time advancing (a Zeno loop, a livelock of
// zero-delay messages) thus fails loudly instead of hanging CI, while a long, idle run (hours of
// simulated gossip, a few thousand events per simulated second) is never stopped: a run's
// length is bounded by its simulated span, which the scenario language bounds. An explicit
// total `event_limit` can be set too (tests use it); by default there is none.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/inplace_function.hpp"
#include "aurora/sim/stable_pool.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::sim {

// Thrown when a run reaches its bound on events: the run does not stop on its own.
class event_limit_exceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The scheduler's bound on events per simulated time (see the top of this file). The defaults
// keep the old total of 50 million events as the burst, so every run that finished under the
// old total bound still does, and allow 10 events per simulated microsecond after that: more
// than a thousand times the idle rate of one protection group (about 6,300 events per simulated
// second: gossip every 2ms on six segments) and twenty times that of the largest configuration
// (64 groups). `per_us = 0` turns the guard into a plain total of `burst` events.
struct runaway_guard {
  std::uint64_t burst = 50'000'000;  // events that may run without simulated time advancing
  std::uint64_t per_us = 10;         // events each simulated microsecond adds back, up to burst
};

// Names a scheduled event so that it can be cancelled; a default-constructed id names nothing.
struct event_id {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
};

class scheduler {
 public:
  using callback = inplace_function<48>;
  static constexpr std::uint64_t no_event_limit = std::numeric_limits<std::uint64_t>::max();
  // No total bound by default: the runaway guard bounds events per simulated time instead.
  static constexpr std::uint64_t default_event_limit = no_event_limit;

  explicit scheduler(std::uint64_t event_limit = default_event_limit, runaway_guard guard = {})
      : event_limit_(event_limit), guard_(guard), budget_(guard.burst) {}

  [[nodiscard]] time_point now() const { return now_; }
  // Where the clock lives, for the assertion context (sim/assert.hpp).
  [[nodiscard]] const std::int64_t* now_address() const { return now_.count_us_address(); }
  [[nodiscard]] std::uint64_t events_run() const { return events_run_; }
  [[nodiscard]] std::uint64_t event_limit() const { return event_limit_; }
  void set_event_limit(std::uint64_t limit) { event_limit_ = limit; }
  [[nodiscard]] const runaway_guard& guard() const { return guard_; }
  // Events scheduled and neither run nor cancelled.
  [[nodiscard]] std::size_t pending() const { return pending_; }
  [[nodiscard]] bool idle() const { return pending_ == 0; }

  // Runs `function` (a callable taking nothing, or a `callback`) at time `when`; `when` must not
  // be before now().
  template <class callable>
    requires std::constructible_from<callback, callable&&> event_id
    schedule_at(time_point when, callable&& function) {
      if (when < now_) {
        throw usage_error("scheduler: cannot schedule an event at " + to_string(when) +
                          ", which is before the current time " + to_string(now_));
      }
      const std::uint32_t slot = slots_.acquire();
      slots_[slot].function.emplace(std::forward<callable>(function));
      heap_.push_back({when.count_us(), next_sequence_++, slot});
      std::push_heap(heap_.begin(), heap_.end(), later{});
      ++pending_;
      return {slot, slots_[slot].generation};
    }

  // Runs `function` after `delay`, which must not be negative.
  template <class callable>
    requires std::constructible_from<callback, callable&&> event_id
    schedule_after(duration delay, callable&& function) {
      if (delay < duration(0)) {
        throw usage_error("scheduler: negative delay " + to_string(delay));
      }
      return schedule_at(now_ + delay, std::forward<callable>(function));
    }

  // Cancels a pending event; false if it already ran, was cancelled, or never existed.
  bool cancel(event_id id) {
    if (id.slot >= slots_.size()) return false;
    slot_entry& entry = slots_[id.slot];
    if (entry.generation != id.generation || !entry.function) return false;
    entry.function.reset();
    ++entry.generation;  // the heap entry still refers to the slot; it is skipped when popped
    --pending_;
    return true;
  }

  // Runs the next event, if any; returns false when there is none.
  bool step() {
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), later{});
      const heap_entry top = heap_.back();
      heap_.pop_back();
      if (!slots_[top.slot].function) {  // cancelled
        slots_.release(top.slot);
        continue;
      }
      run(top);
      return true;
    }
    return false;
  }

  // Runs every event due at or before `until`, then sets the clock to `until`.
  void run_until(time_point until) {
    while (!heap_.empty() && duration(heap_.front().time_us) <= until) step();
    if (until > now_) now_ = until;
  }

  // Runs events until none is pending.
  void run_until_idle() {
    while (step()) {
    }
  }

 private:
  struct heap_entry {
    std::int64_t time_us;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  // std heaps are max-heaps: "later" puts the earliest (time, sequence) on top.
  struct later {
    bool operator()(const heap_entry& left, const heap_entry& right) const {
      if (left.time_us != right.time_us) return left.time_us > right.time_us;
      return left.sequence > right.sequence;
    }
  };
  struct slot_entry {
    callback function;
    std::uint32_t generation = 0;
  };

  void run(const heap_entry& top) {
    if (events_run_ >= event_limit_) {
      throw event_limit_exceeded("scheduler: event limit of " + std::to_string(event_limit_) +
                                 " events reached at simulated time " + to_string(now_) +
                                 ": the run does not settle on its own");
    }
    AURORA_ASSERT(top.time_us >= now_.count_us(), "the clock never runs backwards");
    spend_budget(top.time_us);
    now_ = duration(top.time_us);
    ++events_run_;
    --pending_;
    slot_entry& entry = slots_[top.slot];
    ++entry.generation;  // its id names nothing pending any more: cancel() refuses it
    const slot_release done{*this, top.slot};
    entry.function();  // in place: events it schedules take other slots
  }

  // Empties a slot whose event ran and frees it, also when the event throws.
  struct slot_release {
    scheduler& owner;
    std::uint32_t slot;
    slot_release(scheduler& of, std::uint32_t index) : owner(of), slot(index) {}
    slot_release(const slot_release&) = delete;
    slot_release& operator=(const slot_release&) = delete;
    ~slot_release() {
      owner.slots_[slot].function.reset();
      owner.slots_.release(slot);
    }
  };

  // The runaway guard: refills the budget for the simulated time since the last event, then
  // takes one event from it, or stops the run when it is empty.
  void spend_budget(std::int64_t time_us) {
    const auto elapsed = static_cast<std::uint64_t>(time_us - refilled_at_us_);
    refilled_at_us_ = time_us;
    if (elapsed > 0 && guard_.per_us > 0) {
      const std::uint64_t room = guard_.burst - budget_;
      std::uint64_t refill = 0;  // elapsed * per_us, unless that overflows or exceeds the room
      const bool overflow = __builtin_mul_overflow(elapsed, guard_.per_us, &refill);
      budget_ += overflow || refill > room ? room : refill;
    }
    if (budget_ == 0) {
      throw event_limit_exceeded(
          "scheduler: runaway guard: more than " + std::to_string(guard_.burst) +
          " events without simulated time advancing (at most " + std::to_string(guard_.per_us) +
          " per simulated microsecond after that many), at simulated time " + to_string(now_) +
          ": the run does not settle on its own");
    }
    --budget_;
  }

  time_point now_{};
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::uint64_t event_limit_;
  runaway_guard guard_;
  std::uint64_t budget_;             // events the guard still allows before time must advance
  std::int64_t refilled_at_us_ = 0;  // the simulated time the budget was last refilled for
  std::size_t pending_ = 0;
  std::vector<heap_entry> heap_;
  stable_pool<slot_entry> slots_;
};

}  // namespace aurora::sim
