// Protection group membership, and its change while a lost segment is replaced.
//
// [P18 §4] When segment F of PG ABCDEF fails for good, the control plane adds a replacement G and
// moves through a membership epoch in which the group is "ABCDEF and ABCDEG": a write needs 4/6 of
// both, a read 3/6 of either. Once G has caught up, F is dropped and the group is ABCDEG. Nothing
// durable is discarded until then, and no quorum is ever computed over a set that might miss an
// acknowledged write.
//
// Here each of a PG's 6 slots holds one segment *identity* (a bit in a quorum_set mask) and the
// disk incarnation that identity lives on. Identities of slot s cycle through s, s+6, s+12, so
// that a slot can be mid-replacement while its previous identity is still named by the old set.
// A replacement is "hydrating" until the writer sees its SCL reach the group's PGCL; a hydrating
// segment never counts toward a read quorum (an empty disk is not a copy).
//
// The writer asks for the quorum sets on every acknowledgement, and they change only when a
// replacement starts or finishes: the member masks are kept, recomputed on those two changes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "aurora/storage/placement.hpp"
#include "aurora/storage/quorum.hpp"

namespace aurora::storage {

class pg_membership {
 public:
  // A slot's identity cycles through `identity_generations` values (slot, slot + V, slot + 2V):
  // enough for a replacement of a replacement to differ from both, and all fit in a mask.
  static constexpr int identity_generations = 3;
  static_assert(identity_generations * segments_per_pg <=
                    8 * static_cast<int>(sizeof(segment_mask)),
                "every identity of every slot has a bit in segment_mask");

  pg_membership() {
    for (int slot = 0; slot < segments_per_pg; ++slot) identity_[slot] = slot;
    old_identity_.fill(-1);
    refresh_masks();
  }

  [[nodiscard]] int identity(int slot) const { return identity_[slot]; }
  [[nodiscard]] std::uint32_t disk(int slot) const { return disk_[slot]; }
  [[nodiscard]] std::uint32_t epoch() const { return membership_epoch_; }
  // A replacement that has not caught up yet: it holds no complete copy.
  [[nodiscard]] bool hydrating(int slot) const { return old_identity_[slot] >= 0; }
  [[nodiscard]] bool changing() const { return changing_; }

  // The disk of `slot` was lost and a new, empty disk (incarnation `new_disk`) replaces it. If the
  // slot was already being replaced, the old set keeps naming the last *complete* identity.
  void replace(int slot, std::uint32_t new_disk) {
    if (old_identity_[slot] < 0) old_identity_[slot] = identity_[slot];
    do {
      identity_[slot] =
          (identity_[slot] + segments_per_pg) % (identity_generations * segments_per_pg);
    } while (identity_[slot] == old_identity_[slot]);
    disk_[slot] = new_disk;
    ++membership_epoch_;
    refresh_masks();
  }

  // The replacement in `slot` has caught up: the group drops the lost identity.
  void finish_replacement(int slot) {
    AURORA_ASSERT(hydrating(slot), "only a replacement in progress can finish");
    old_identity_[slot] = -1;
    ++membership_epoch_;
    refresh_masks();
  }

  // The mask of current identities.
  [[nodiscard]] segment_mask current_mask() const { return current_mask_; }

  // ABCDEF alone, or "ABCDEF and ABCDEG" while F is being replaced by G [P18 §4].
  [[nodiscard]] quorum_set quorums(quorum_sizes sizes) const {
    if (!changing_) return quorum_set(sizes, current_mask_);
    return quorum_set(sizes, old_mask_, current_mask_);
  }

 private:
  // Recomputes what changes only with the identities: after construction, replace and
  // finish_replacement (the only writers of identity_ and old_identity_).
  void refresh_masks() {
    changing_ =
        std::any_of(old_identity_.begin(), old_identity_.end(), [](int old) { return old >= 0; });
    current_mask_ = 0;
    old_mask_ = 0;
    for (int slot = 0; slot < segments_per_pg; ++slot) {
      current_mask_ |= segment_mask{1} << identity_[slot];
      const int member = old_identity_[slot] >= 0 ? old_identity_[slot] : identity_[slot];
      old_mask_ |= segment_mask{1} << member;
    }
  }

  std::array<int, segments_per_pg> identity_{};
  std::array<int, segments_per_pg> old_identity_{};  // -1: not being replaced
  std::array<std::uint32_t, segments_per_pg> disk_{};
  std::uint32_t membership_epoch_ = 0;
  // Derived from the identities (refresh_masks).
  bool changing_ = false;
  segment_mask current_mask_ = 0;
  segment_mask old_mask_ = 0;  // the old set while changing: each slot's last complete identity
};

}  // namespace aurora::storage
