// Quorums: 6 copies, write 4, read 3, checked at compile time.
//
// [P17 §2.1] Aurora keeps V = 6 copies of every protection group, 2 in each of 3 AZs, and uses a
// write quorum Vw = 4 and a read quorum Vr = 3. Two rules make a quorum system safe:
//   Vr + Vw > V  every read quorum overlaps every write quorum, so a read sees the latest write;
//   Vw > V / 2   two write quorums overlap, so two writes cannot both succeed unseen.
// With 4/6 a whole AZ can be lost and writes continue (4 copies remain); an AZ plus one more node
// (AZ+1) can be lost and no data is (3 copies remain: a read quorum, from which a write quorum can
// be rebuilt).
//
// The sizes are template parameters checked by `static_assert`. An unsafe choice compiles only
// when spelled `quorum<V, Vw, Vr, safety::unsafe_teaching_variant>`, which exists so that the
// tutorials and the tests can watch it lose data. The model itself runs on `quorum_sizes`, a
// plain value that only a `quorum` type can make, so the check cannot be bypassed by accident.
//
// `quorum_set` is the membership-change rule of [P18 §4]: while segment F is being replaced by
// G, a write needs 4/6 of ABCDEF *and* 4/6 of ABCDEG, and a read needs 3/6 of either.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace aurora::storage {

enum class safety { safe, unsafe_teaching_variant };

class quorum_sizes;

template <int copies, int write, int read, safety kind = safety::safe>
struct quorum {
  static_assert(copies > 0 && write > 0 && read > 0, "quorum sizes are positive");
  static_assert(write <= copies && read <= copies, "a quorum cannot exceed the copies");
  // Vr + Vw > V: every read quorum overlaps every write quorum.
  static_assert(kind == safety::unsafe_teaching_variant || read + write > copies,
                "unsafe quorum: Vr + Vw <= V lets a read miss the latest write");
  // Vw > V/2: any two write quorums overlap.
  static_assert(kind == safety::unsafe_teaching_variant || 2 * write > copies,
                "unsafe quorum: Vw <= V/2 lets two conflicting writes both succeed");

  static constexpr int v = copies;
  static constexpr int vw = write;
  static constexpr int vr = read;
  static constexpr bool is_safe = read + write > copies && 2 * write > copies;
};

// Aurora's choice [P17 §2.1].
using aurora_quorum = quorum<6, 4, 3>;

// The sizes a model runs with; made only from a (checked) `quorum` type.
class quorum_sizes {
 public:
  template <int copies, int write, int read, safety kind>
  constexpr explicit quorum_sizes(quorum<copies, write, read, kind>)
      : v_(copies), vw_(write), vr_(read) {}

  [[nodiscard]] constexpr int v() const { return v_; }
  [[nodiscard]] constexpr int vw() const { return vw_; }
  [[nodiscard]] constexpr int vr() const { return vr_; }
  [[nodiscard]] constexpr bool is_safe() const { return vr_ + vw_ > v_ && 2 * vw_ > v_; }
  [[nodiscard]] std::string to_string() const {
    return std::to_string(vw_) + "/" + std::to_string(v_) + " write, " + std::to_string(vr_) + "/" +
           std::to_string(v_) + " read";
  }

 private:
  int v_, vw_, vr_;
};

// A set of segments, as a bit mask over segment identities (bit i = segment i: A=0, B=1, ...).
using segment_mask = std::uint32_t;

// One or two member sets that must all agree (during a membership change there are two). A
// value type without heap storage: the writer evaluates one per acknowledgement.
class quorum_set {
 public:
  static constexpr std::size_t max_sets = 2;

  quorum_set(quorum_sizes sizes, segment_mask members) : sizes_(sizes), sets_{members}, count_(1) {}
  quorum_set(quorum_sizes sizes, segment_mask old_members, segment_mask new_members)
      : sizes_(sizes), sets_{old_members, new_members}, count_(2) {}

  // A plain protection group of `sizes.v()` segments numbered 0..v-1.
  static quorum_set plain(quorum_sizes sizes) {
    return quorum_set(sizes, (segment_mask{1} << sizes.v()) - 1);
  }

  // The sets while segment `replaced` is replaced by `replacement`: "ABCDEF and ABCDEG" [P18 §4].
  [[nodiscard]] quorum_set replacing(int replaced, int replacement) const {
    const segment_mask newest = sets_[count_ - 1];
    return quorum_set(sizes_, newest,
                      (newest & ~(segment_mask{1} << replaced)) | (segment_mask{1} << replacement));
  }

  // A write is durable when it is acknowledged by Vw members of *every* set.
  [[nodiscard]] bool write_satisfied(segment_mask acknowledged) const {
    for (std::size_t index = 0; index < count_; ++index) {
      if (std::popcount(acknowledged & sets_[index]) < sizes_.vw()) return false;
    }
    return true;
  }

  // A read (or a recovery) needs Vr members of *any one* set.
  [[nodiscard]] bool read_satisfied(segment_mask answered) const {
    for (std::size_t index = 0; index < count_; ++index) {
      if (std::popcount(answered & sets_[index]) >= sizes_.vr()) return true;
    }
    return false;
  }

  [[nodiscard]] std::size_t set_count() const { return count_; }
  // The member sets, oldest first (allocates: for tests and printing, not the hot path).
  [[nodiscard]] std::vector<segment_mask> member_sets() const {
    return {sets_.begin(), sets_.begin() + static_cast<std::ptrdiff_t>(count_)};
  }
  [[nodiscard]] segment_mask member_set(std::size_t index) const { return sets_.at(index); }
  [[nodiscard]] quorum_sizes sizes() const { return sizes_; }

 private:
  quorum_sizes sizes_;
  std::array<segment_mask, max_sets> sets_{};
  std::size_t count_;
};

}  // namespace aurora::storage
