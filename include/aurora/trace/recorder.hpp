// The trace recorder: the one place where every layer writes what happened.
//
// Recording is off by default and then costs one branch per event site (`if (rec.enabled())`),
// so benchmarks and property tests run at full speed; the harness turns it on to write JSON Lines
// and Graphviz DOT (docs/trace-events.md). The recorder also keeps the lanes (participants, with
// their AZ) in the order they were added, which is the column order of the DOT diagram.
//
// Storage: a traced run records millions of events and reads them back once, after the run (the
// writers, tests). So the recorder keeps each event encoded, one after another, in large byte
// blocks (`detail::byte_log`): recording copies a few bytes and allocates nothing per event, and
// the whole trace is freed block by block. `events()` decodes the events into `event` values the
// first time it is asked for them (and then only the events recorded since). Two ways in:
//  - `record(event)`: an `event` built by the caller, e.g. `record({t, "vdl", fields, lane})`;
//  - `begin(t, kind, lane, peer, id).add(key, value)...`: the same event, encoded as it is built
//    (no `event`, no field vector, no string copies): what the hot emitters (the network) use.
// Both give the same bytes, and `events()` gives back exactly the events recorded.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/trace/event.hpp"

namespace aurora::trace {

// The recorded events, in order. A deque: decoding more events never moves those already read.
using event_log = std::deque<event>;

// A lane of the space-time diagram: one participant.
struct lane {
  std::string name;  // "a1", "db1", "c1"
  char az = 0;       // 'a', 'b', 'c' for storage nodes; 0 for instances and clients
  std::string role;  // "storage", "instance", "client", "service"
};

namespace detail {

// A value copied as its bytes: a number, an enum, a header struct (not a pointer or a view).
template <class value>
concept plain_bytes = std::is_trivially_copyable_v<value> && !std::is_pointer_v<value> &&
                      !std::same_as<value, std::string_view>;

// The bytes of a string item: its length (4 bytes), then its characters.
constexpr std::size_t text_size(std::string_view text) {
  return sizeof(std::uint32_t) + text.size();
}

// Writes items one after another into bytes reserved for them (byte_log::append).
class item_writer {
 public:
  explicit item_writer(unsigned char* at) : at_(at) {}
  template <plain_bytes number>
  item_writer& put(number value) {
    std::memcpy(at_, &value, sizeof value);
    at_ += sizeof value;
    return *this;
  }
  item_writer& put(std::string_view text) {
    put(static_cast<std::uint32_t>(text.size()));
    if (!text.empty()) std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
    return *this;
  }

 private:
  unsigned char* at_;
};

// Bytes appended in groups of items (numbers, strings) to blocks of 64 KiB, and read back item
// by item, in order. A group never straddles two blocks: one that does not fit starts the next
// block, so a reader that reaches the end of a block's bytes goes on at the start of the next.
class byte_log {
 public:
  static constexpr std::size_t block_size = std::size_t{64} * 1024;

  byte_log() = default;
  byte_log(byte_log&&) noexcept = default;
  byte_log& operator=(byte_log&&) noexcept = default;
  byte_log(const byte_log& other) : room_(other.room_) {
    blocks_.reserve(other.blocks_.size());
    for (const block& each : other.blocks_) blocks_.push_back(each.copy());
  }
  byte_log& operator=(const byte_log& other) {
    if (this != &other) *this = byte_log(other);
    return *this;
  }
  ~byte_log() = default;

  // Where a reader is: a block and an offset in it.
  struct position {
    std::size_t block = 0;
    std::size_t offset = 0;
  };

  // Reserves `size` bytes at the end, for a group of items of that total size.
  item_writer append(std::size_t size) {
    if (room_ < size) start_block(size);
    block& last = blocks_.back();
    unsigned char* out = last.bytes.get() + last.used;
    last.used += size;
    room_ -= size;
    return item_writer(out);
  }

  template <plain_bytes number>
  number get(position& at) const {
    number value;
    std::memcpy(&value, item(at, sizeof value), sizeof value);
    return value;
  }
  std::string get_string(position& at) const {
    std::uint32_t length = 0;
    const unsigned char* in = item(at, sizeof length);
    std::memcpy(&length, in, sizeof length);
    at.offset += length;
    return {reinterpret_cast<const char*>(in + sizeof length), length};
  }

  void clear() {
    blocks_.clear();
    room_ = 0;
  }

 private:
  struct block {
    std::unique_ptr<unsigned char[]> bytes;  // not initialised: only `used` bytes are read
    std::size_t capacity = 0;                // block_size, or one larger group
    std::size_t used = 0;

    [[nodiscard]] block copy() const {
      block same{std::make_unique_for_overwrite<unsigned char[]>(capacity), capacity, used};
      if (used != 0) std::memcpy(same.bytes.get(), bytes.get(), used);
      return same;
    }
  };

  [[gnu::noinline]] void start_block(std::size_t size) {
    const std::size_t capacity = std::max(block_size, size);
    blocks_.push_back({std::make_unique_for_overwrite<unsigned char[]>(capacity), capacity, 0});
    room_ = capacity;
  }
  // The item of `size` bytes at `at` (in the next block if this one is used up); moves past it.
  const unsigned char* item(position& at, std::size_t size) const {
    if (at.offset == blocks_[at.block].used) at = {at.block + 1, 0};
    const unsigned char* in = blocks_[at.block].bytes.get() + at.offset;
    at.offset += size;
    return in;
  }

  std::vector<block> blocks_;
  std::size_t room_ = 0;  // bytes free in the last block
};

// How an event is laid out in the byte log: a header (time, message id, step), the kind, lane
// and peer, then each field as a tag, its key and its value, then `end_of_event`.
enum class value_tag : std::uint8_t { null, integer, boolean, text, key_values, end_of_event };

struct event_header {
  std::int64_t t_us;
  std::uint64_t message_id;
  std::int32_t step;
};

// A field: its tag, its key, then its value.
inline void put_field(byte_log& out, std::string_view key, std::monostate) {
  out.append(1 + text_size(key)).put(value_tag::null).put(key);
}
inline void put_field(byte_log& out, std::string_view key, std::int64_t value) {
  out.append(1 + text_size(key) + sizeof value).put(value_tag::integer).put(key).put(value);
}
inline void put_field(byte_log& out, std::string_view key, bool value) {
  out.append(1 + text_size(key) + sizeof value).put(value_tag::boolean).put(key).put(value);
}
inline void put_field(byte_log& out, std::string_view key, std::string_view text) {
  out.append(1 + text_size(key) + text_size(text)).put(value_tag::text).put(key).put(text);
}
inline void put_field(byte_log& out, std::string_view key, const key_values& values) {
  const auto count = static_cast<std::uint32_t>(values.size());
  out.append(1 + text_size(key) + sizeof count).put(value_tag::key_values).put(key).put(count);
  for (const auto& [name, number] : values) {
    const bool known = number.has_value();
    item_writer entry =
        out.append(text_size(name) + sizeof known + (known ? sizeof(std::int64_t) : 0));
    entry.put(std::string_view(name)).put(known);
    if (known) entry.put(*number);
  }
}

// The start of an event: its header, kind, lane and peer.
inline void put_event_start(byte_log& out, const event_header& header, std::string_view kind,
                            std::string_view lane, std::string_view peer) {
  out.append(sizeof header + text_size(kind) + text_size(lane) + text_size(peer))
      .put(header)
      .put(kind)
      .put(lane)
      .put(peer);
}

inline key_values get_key_values(const byte_log& in, byte_log::position& at) {
  key_values values(in.get<std::uint32_t>(at));
  for (auto& [name, number] : values) {
    name = in.get_string(at);
    if (in.get<bool>(at)) number = in.get<std::int64_t>(at);
  }
  return values;
}

inline field_value get_value(const byte_log& in, byte_log::position& at, value_tag tag) {
  switch (tag) {
    case value_tag::integer: return in.get<std::int64_t>(at);
    case value_tag::boolean: return in.get<bool>(at);
    case value_tag::text: return in.get_string(at);
    case value_tag::key_values: return get_key_values(in, at);
    default: return std::monostate{};
  }
}

// Decodes the event at `at` and moves past it.
inline event get_event(const byte_log& in, byte_log::position& at) {
  const auto header = in.get<event_header>(at);
  event value;
  value.t = sim::us(header.t_us);
  value.message_id = header.message_id;
  value.step = header.step;
  value.kind = in.get_string(at);
  value.lane = in.get_string(at);
  value.peer = in.get_string(at);
  for (auto tag = in.get<value_tag>(at); tag != value_tag::end_of_event;
       tag = in.get<value_tag>(at)) {
    std::string key = in.get_string(at);
    value.fields.emplace_back(key, get_value(in, at, tag));
  }
  return value;
}

}  // namespace detail

// An event being recorded in place: `recorder::begin` starts it, each `add` appends a field, and
// it ends when the writer is destroyed: at the end of the statement for `begin(...).add(...);`,
// at the end of its scope for a named writer. It does nothing when recording is off. Only one
// may be open at a time, and nothing else is recorded while it is.
class event_writer {
 public:
  event_writer(const event_writer&) = delete;
  event_writer& operator=(const event_writer&) = delete;
  ~event_writer() {
    if (out_ != nullptr) out_->append(1).put(detail::value_tag::end_of_event);
  }

  event_writer& add(std::string_view key, std::int64_t value) { return put(key, value); }
  event_writer& add(std::string_view key, std::string_view text) { return put(key, text); }
  event_writer& add(std::string_view key, const std::string& text) {
    return put(key, std::string_view(text));
  }
  event_writer& add(std::string_view key, const char* text) {
    return put(key, std::string_view(text));
  }
  event_writer& add(std::string_view key, const key_values& values) { return put(key, values); }
  event_writer& add(std::string_view key, std::monostate) { return put(key, std::monostate{}); }
  template <std::same_as<bool> flag>  // exactly a bool: a pointer or a number is not one
  event_writer& add(std::string_view key, flag value) {
    return put(key, value);
  }

 private:
  friend class recorder;
  explicit event_writer(detail::byte_log* out) : out_(out) {}

  template <class content>
  event_writer& put(std::string_view key, const content& value) {
    if (out_ != nullptr) detail::put_field(*out_, key, value);
    return *this;
  }

  detail::byte_log* out_;
};

class recorder {
 public:
  [[nodiscard]] bool enabled() const { return enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  // The scenario step now running; stamped on every later event.
  void set_step(int step) { step_ = step; }
  [[nodiscard]] int step() const { return step_; }

  void add_lane(lane value) { lanes_.push_back(std::move(value)); }
  [[nodiscard]] const std::vector<lane>& lanes() const { return lanes_; }

  // Records the event if recording is on; stamps it with the current step.
  void record(const event& value) {
    if (!enabled_) return;
    event_writer writer = begin(value.t, value.kind, value.lane, value.peer, value.message_id);
    for (const field& each : value.fields) {
      std::visit([&](const auto& content) { writer.add(each.key, content); }, each.value);
    }
  }

  // Starts recording an event in place (see the top of this file): add its fields in order to
  // the writer returned; the event is complete when the writer goes.
  //   rec.begin(now, kind::send, "db1", "a1", 7).add(key::msg, std::int64_t{7}).add(...);
  event_writer begin(sim::time_point t, std::string_view kind, std::string_view lane = {},
                     std::string_view peer = {}, std::uint64_t message_id = 0) {
    if (!enabled_) return event_writer(nullptr);
    detail::put_event_start(bytes_, {t.count_us(), message_id, step_}, kind, lane, peer);
    ++recorded_;
    return event_writer(&bytes_);
  }

  // Every event recorded, in order (decoded on first use: not safe to call from two threads
  // at once on one recorder).
  [[nodiscard]] const event_log& events() const {
    while (decoded_.size() < recorded_) decoded_.push_back(detail::get_event(bytes_, read_at_));
    return decoded_;
  }
  void clear_events() {
    bytes_.clear();
    decoded_.clear();
    read_at_ = {};
    recorded_ = 0;
  }

 private:
  bool enabled_ = false;
  int step_ = -1;
  std::vector<lane> lanes_;
  detail::byte_log bytes_;
  std::size_t recorded_ = 0;
  mutable event_log decoded_;                     // the first events, decoded
  mutable detail::byte_log::position read_at_{};  // where the next event to decode starts
};

}  // namespace aurora::trace
