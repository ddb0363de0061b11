// A growing array of reusable entries whose addresses never change.
//
// The scheduler keeps each pending event's callable in an entry, and the network each message
// in flight; both run code (the event, the receiver) that adds entries while an entry is being
// used. In a std::vector that growth would move the entry in use; here entries live in chunks of
// 64 that are never moved, so an event runs in place and a message is handed over where it lies.
// Entries are default-constructed when their chunk is made and reused through a free list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace aurora::sim {

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

}  // namespace aurora::sim
