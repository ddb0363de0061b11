// The discrete-event scheduler: the one clock and the one queue of a run.
//
// Everything in the simulation (message deliveries, timers, client operations, faults) is an
// event: a callable to run at a simulated time. Events run in order of (time, insertion
// sequence), so events at equal times run in the order they were scheduled: that tie-break is
// what makes a run reproducible (DESIGN.md §3, "Determinism rules").
//
// Speed: the callables live in a pool of slots reused through a free list, stored inline
// (inplace_function), so that in the steady state scheduling an event allocates nothing; a
// callable is built in its slot and runs there (slots never move: stable_pool below). The queue
// has two parts. The near future, [now, now + wheel_span) microseconds, where almost every event
// falls (message latencies, disk persists, batching windows), is a timing wheel: one FIFO of
// slots per microsecond, linked through the slots, with a bitmap of the non-empty ones; an event
// joins its FIFO after every event scheduled before it, so each FIFO is in sequence order, and
// taking the next event is a scan of the bitmap. Events further away (timers of milliseconds)
// wait in a binary heap of (time, sequence, slot). The next event is the earlier of the two
// heads, by (time, sequence). Cancelling marks the slot's generation; the stale entry is skipped
// when it reaches the front.
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
#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/inplace_function.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::sim {

// A growing array of reusable entries whose addresses never change (the scheduler's slots, the
// network's messages in flight). Both run code (an event, a receiver) that adds entries while an
// entry is in use: in a std::vector that growth would move the entry in use; here entries live in
// chunks of 64 that never move, so an event runs in place and a message is handed over where it
// lies. Entries are default-constructed when their chunk is made and reused through a free list.
template <class entry>
class stable_pool {
 public:
  static constexpr std::uint32_t chunk_size = 64;

  [[nodiscard]] entry& operator[](std::uint32_t index) {
    return chunks_[index / chunk_size][index % chunk_size];
  }
  [[nodiscard]] const entry& operator[](std::uint32_t index) const {
    return chunks_[index / chunk_size][index % chunk_size];
  }
  // Entries ever made (free or in use).
  [[nodiscard]] std::uint32_t size() const { return size_; }

  // The index of a free entry (it holds whatever its last user left, or its default value).
  std::uint32_t acquire() {
    if (!free_.empty()) {
      const std::uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    if (size_ % chunk_size == 0) chunks_.push_back(std::make_unique<entry[]>(chunk_size));
    return size_++;
  }
  // Makes the entry free for a later acquire.
  void release(std::uint32_t index) { free_.push_back(index); }

 private:
  std::vector<std::unique_ptr<entry[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint32_t size_ = 0;
};

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

// What the scheduler runs: a callable taking nothing, stored inline.
using event_callback = inplace_function<48>;

// A callable the scheduler accepts: one an event_callback can be made from.
template <class callable>
concept schedulable = std::constructible_from<event_callback, callable&&>;

class scheduler {
 public:
  using callback = event_callback;
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
  template <schedulable callable>
  event_id schedule_at(time_point when, callable&& function) {
    if (when < now_) {
      throw usage_error("scheduler: cannot schedule an event at " + to_string(when) +
                        ", which is before the current time " + to_string(now_));
    }
    const std::uint32_t slot = slots_.acquire();
    slots_[slot].function.emplace(std::forward<callable>(function));
    enqueue(when.count_us(), slot);
    ++pending_;
    return {slot, slots_[slot].generation};
  }

  // Runs `function` after `delay`, which must not be negative.
  template <schedulable callable>
  event_id schedule_after(duration delay, callable&& function) {
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

  // Runs the next event, if any; returns false when there is none. (Cancelled events before it
  // are dropped on the way.)
  bool step() {
    while (const std::optional<queued> next = front()) {
      const std::uint32_t slot = take(*next);
      if (!slots_[slot].function) {  // cancelled
        slots_.release(slot);
        continue;
      }
      run(next->time_us, slot);
      return true;
    }
    return false;
  }

  // Runs every event due at or before `until`, then sets the clock to `until`. (As step(), a
  // cancelled event due dropped on the way is followed by the next event, whenever it is due.)
  void run_until(time_point until) {
    for (auto next = front(); next && next->time_us <= until.count_us(); next = front()) {
      const std::uint32_t slot = take(*next);
      if (!slots_[slot].function) {  // cancelled
        slots_.release(slot);
        step();
        continue;
      }
      run(next->time_us, slot);
    }
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
  static constexpr std::uint32_t no_slot = UINT32_MAX;
  struct slot_entry {
    callback function;
    std::uint32_t generation = 0;
    std::uint32_t next = no_slot;  // the next slot of its wheel FIFO
    std::uint64_t sequence = 0;    // its place among events at the same time (wheel only)
  };

  // --- the queue: a timing wheel for the near future, a heap beyond (see the top) ---------------
  static constexpr std::int64_t wheel_span = 1024;  // microseconds; a power of two
  static constexpr std::size_t wheel_words = wheel_span / 64;
  struct fifo {
    std::uint32_t head = no_slot;
    std::uint32_t tail = no_slot;
  };
  // The front of the queue: its time, and whether it is the wheel's (else the heap's).
  struct queued {
    std::int64_t time_us;
    bool in_wheel;
  };

  static std::size_t bucket_of(std::int64_t time_us) {
    return static_cast<std::size_t>(time_us) & (wheel_span - 1);
  }

  void enqueue(std::int64_t time_us, std::uint32_t slot) {
    const std::uint64_t sequence = next_sequence_++;
    if (time_us - now_.count_us() >= wheel_span) {
      heap_.push_back({time_us, sequence, slot});
      std::push_heap(heap_.begin(), heap_.end(), later{});
      return;
    }
    slot_entry& entry = slots_[slot];
    entry.sequence = sequence;
    entry.next = no_slot;
    const std::size_t bucket = bucket_of(time_us);
    fifo& line = wheel_[bucket];
    if (line.head == no_slot) {
      line.head = slot;
      occupied_[bucket / 64] |= std::uint64_t{1} << (bucket % 64);
    } else {
      slots_[line.tail].next = slot;
    }
    line.tail = slot;
    ++in_wheel_;
  }

  // The time of the wheel's earliest event: its first non-empty bucket from now on (the wheel
  // holds only times in [now, now + wheel_span), one per bucket).
  [[nodiscard]] std::optional<std::int64_t> wheel_front() const {
    if (in_wheel_ == 0) return std::nullopt;
    const std::int64_t now_us = now_.count_us();
    const std::size_t start = bucket_of(now_us);
    std::size_t word = start / 64;
    std::uint64_t bits = occupied_[word] & (~std::uint64_t{0} << (start % 64));
    while (bits == 0) {  // ends: some bucket is occupied (at worst below `start`, after a wrap)
      word = (word + 1) % wheel_words;
      bits = occupied_[word];
    }
    const std::size_t bucket = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
    return now_us + static_cast<std::int64_t>((bucket - start) & (wheel_span - 1));
  }

  [[nodiscard]] std::optional<queued> front() const {
    const std::optional<std::int64_t> wheel = wheel_front();
    if (heap_.empty()) return wheel ? std::optional<queued>({*wheel, true}) : std::nullopt;
    const heap_entry& top = heap_.front();
    if (!wheel || top.time_us < *wheel) return queued{top.time_us, false};
    if (*wheel < top.time_us) return queued{*wheel, true};
    const std::uint64_t wheel_sequence = slots_[wheel_[bucket_of(*wheel)].head].sequence;
    return queued{*wheel, wheel_sequence < top.sequence};  // same time: scheduled first runs first
  }

  // Removes the front (as front() found it) from the queue; returns its slot.
  std::uint32_t take(const queued& next) {
    if (!next.in_wheel) {
      std::pop_heap(heap_.begin(), heap_.end(), later{});
      const std::uint32_t slot = heap_.back().slot;
      heap_.pop_back();
      return slot;
    }
    const std::size_t bucket = bucket_of(next.time_us);
    fifo& line = wheel_[bucket];
    const std::uint32_t slot = line.head;
    line.head = slots_[slot].next;
    if (line.head == no_slot) {
      line.tail = no_slot;
      occupied_[bucket / 64] &= ~(std::uint64_t{1} << (bucket % 64));
    }
    --in_wheel_;
    return slot;
  }

  void run(std::int64_t time_us, std::uint32_t slot) {
    if (events_run_ >= event_limit_) {
      throw event_limit_exceeded("scheduler: event limit of " + std::to_string(event_limit_) +
                                 " events reached at simulated time " + to_string(now_) +
                                 ": the run does not settle on its own");
    }
    AURORA_ASSERT(time_us >= now_.count_us(), "the clock never runs backwards");
    spend_budget(time_us);
    now_ = duration(time_us);
    ++events_run_;
    --pending_;
    slot_entry& entry = slots_[slot];
    ++entry.generation;  // its id names nothing pending any more: cancel() refuses it
    const slot_release done{*this, slot};
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
  std::vector<heap_entry> heap_;  // events at now + wheel_span or later (when scheduled)
  std::array<fifo, wheel_span> wheel_{};
  std::array<std::uint64_t, wheel_words> occupied_{};  // bit b: wheel_[b] is not empty
  std::size_t in_wheel_ = 0;                           // entries in the wheel (cancelled too)
  stable_pool<slot_entry> slots_;
};

}  // namespace aurora::sim
