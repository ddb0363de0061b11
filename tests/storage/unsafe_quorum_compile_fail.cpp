// Must NOT compile: 3 of 6 for writes and 3 of 6 for reads breaks Vr + Vw > V (3 + 3 = 6), so a
// read quorum can miss the latest write. Without the explicit
// `safety::unsafe_teaching_variant` tag the static_assert in quorum.hpp stops the build, and its
// message contains "unsafe quorum". The build checks both (a compile-fail test, the way {fmt}
// tests its compile errors): see CONVENTIONS.md, "Correctness habits".
#include "aurora/storage/quorum.hpp"

int main() {
  aurora::storage::quorum_sizes q(aurora::storage::quorum<6, 3, 3>{});
  return q.v();
}
