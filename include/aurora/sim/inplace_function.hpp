// A move-only `void()` callable stored inline, without a heap allocation.
//
// The scheduler keeps one of these per pending event. std::function may allocate for any
// capture larger than two pointers; this type refuses to compile instead (the capture must fit
// in `capacity` bytes), so scheduling an event never touches the heap. Captures are meant to be
// small: a pointer to the participant and a few integers.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace aurora::sim {

template <std::size_t capacity>
class inplace_function {
 public:
  inplace_function() = default;

  template <class callable>
    requires(!std::is_same_v<std::decay_t<callable>, inplace_function> &&
             std::is_invocable_r_v<void, std::decay_t<callable>&>)
  inplace_function(callable&& function) {  // NOLINT: implicit by design, like std::function
    construct(std::forward<callable>(function));
  }

  inplace_function(inplace_function&& other) noexcept { take(other); }
  inplace_function& operator=(inplace_function&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  inplace_function(const inplace_function&) = delete;
  inplace_function& operator=(const inplace_function&) = delete;
  ~inplace_function() { reset(); }

  explicit operator bool() const { return operations_ != nullptr; }
  void operator()() { operations_->invoke(storage_); }

  // Replaces the callable with `function`, built in place (no temporary to move from).
  template <class callable>
  void emplace(callable&& function) {
    if constexpr (std::is_same_v<std::decay_t<callable>, inplace_function>) {
      *this = std::move(function);
    } else {
      reset();
      construct(std::forward<callable>(function));
    }
  }

  void reset() {
    if (operations_ != nullptr) {
      operations_->destroy(storage_);
      operations_ = nullptr;
    }
  }

 private:
  struct operations {
    void (*invoke)(void*);
    void (*move)(void* from, void* to);
    void (*destroy)(void*);
  };

  template <class stored>
  static constexpr operations operations_for{
      [](void* self) { (*static_cast<stored*>(self))(); },
      [](void* from, void* to) {
        ::new (to) stored(std::move(*static_cast<stored*>(from)));
        static_cast<stored*>(from)->~stored();
      },
      [](void* self) { static_cast<stored*>(self)->~stored(); }};

  template <class callable>
  void construct(callable&& function) {
    using stored = std::decay_t<callable>;
    static_assert(sizeof(stored) <= capacity,
                  "event capture too large: capture a pointer and a few integers, not more");
    static_assert(alignof(stored) <= alignof(std::max_align_t), "over-aligned capture");
    static_assert(std::is_nothrow_move_constructible_v<stored>,
                  "capture must move without throwing");
    ::new (static_cast<void*>(storage_)) stored(std::forward<callable>(function));
    operations_ = &operations_for<stored>;
  }

  void take(inplace_function& other) {
    if (other.operations_ == nullptr) return;
    other.operations_->move(other.storage_, storage_);
    operations_ = std::exchange(other.operations_, nullptr);
  }

  alignas(std::max_align_t) unsigned char storage_[capacity];
  const operations* operations_ = nullptr;
};

}  // namespace aurora::sim
