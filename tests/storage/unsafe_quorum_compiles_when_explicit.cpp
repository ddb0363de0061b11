// Must compile: the same unsafe sizes as unsafe_quorum_compile_fail.cpp, asked for explicitly as
// a teaching variant. This is the counterpart that proves the compile failure comes from the
// missing tag, not from a typo in the test. Exits 0 when the sizes are the ones asked for and the
// quorum knows it is unsafe.
#include "aurora/storage/quorum.hpp"

namespace storage = aurora::storage;

int main() {
  using write_three = storage::quorum<6, 3, 3, storage::safety::unsafe_teaching_variant>;
  using majority_broken = storage::quorum<6, 3, 4, storage::safety::unsafe_teaching_variant>;
  static_assert(!write_three::is_safe);
  static_assert(!majority_broken::is_safe);
  constexpr storage::quorum_sizes q(write_three{});
  static_assert(q.v() == 6 && q.vw() == 3 && q.vr() == 3 && !q.is_safe());
  return storage::quorum_sizes(majority_broken{}).is_safe() ? 1 : 0;
}
