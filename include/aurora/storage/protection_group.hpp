// The shape of a protection group: how many copies, in how many AZs, under which quorum.
//
// [P17 §2.1-2.2] A protection group (PG) is the unit of replication: Aurora keeps V = 6 copies
// of it, 2 in each of 3 AZs, writes to a quorum of 4 and reads from any 3. The quorum and the
// placement are one decision: `quorum<V, Vw, Vr>` counts copies, and the shape says where those
// copies are, so they must agree. This template ties them together at compile time:
//
//   protection_group<quorum<6, 4, 3>, 3, 2>   Aurora's: 3 AZs x 2 copies, 4/6 write, 3/6 read
//   protection_group<quorum<9, 5, 5>, 3, 2>   does not compile: V = 9 copies in 6 places
//
// and derives what the rest of the model needs: the segment count (every "6" of the model comes
// from `aurora_protection_group::segments`), the AZ of a slot, and the AZ+1 properties the paper
// builds the quorum for (lose an AZ and keep writing; lose an AZ and one more copy and keep
// reading and repairing).
#pragma once

#include "aurora/storage/quorum.hpp"

namespace aurora::storage {

template <class Quorum, int AZs, int CopiesPerAZ>
struct protection_group {
  static_assert(AZs >= 1 && CopiesPerAZ >= 1, "a protection group has copies in at least one AZ");
  static_assert(Quorum::v == AZs * CopiesPerAZ,
                "the quorum counts V copies, so a protection group must place exactly V: "
                "V == azs * copies_per_az");

  using quorum_type = Quorum;
  static constexpr int azs = AZs;
  static constexpr int copies_per_az = CopiesPerAZ;
  static constexpr int segments = AZs * CopiesPerAZ;  // V

  // Slots 0 .. copies_per_az-1 are in the first AZ, the next copies_per_az in the second, ...
  static constexpr int az_of(int slot) { return slot / copies_per_az; }

  static constexpr quorum_sizes sizes() { return quorum_sizes(Quorum{}); }

  // [P17 §2.1] Losing a whole AZ leaves segments - copies_per_az copies: enough to write?
  static constexpr bool writes_survive_an_az = segments - copies_per_az >= Quorum::vw;
  // ... and losing an AZ and one more copy ("AZ+1"): enough to read, and so to repair?
  static constexpr bool reads_survive_az_plus_one = segments - copies_per_az - 1 >= Quorum::vr;
};

// Aurora's protection group [P17 §2.1]: 6 copies, 2 in each of 3 AZs, write 4/6, read 3/6.
using aurora_protection_group = protection_group<aurora_quorum, 3, 2>;
static_assert(aurora_protection_group::writes_survive_an_az);
static_assert(aurora_protection_group::reads_survive_az_plus_one);

// The teaching variants keep the shape and change only the quorum: the same 6 places.
template <class Quorum>
using aurora_shaped =
    protection_group<Quorum, aurora_protection_group::azs, aurora_protection_group::copies_per_az>;

// The model places every PG with Aurora's shape: a quorum for it must count the same copies.
// Returns false for sizes such as those of quorum<9, 5, 5>, which would otherwise be accepted
// and then count acknowledgements out of 6 segments.
constexpr bool fits_the_model(quorum_sizes sizes) {
  return sizes.v() == aurora_protection_group::segments;
}

}  // namespace aurora::storage
