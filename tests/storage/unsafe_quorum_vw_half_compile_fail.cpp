// Must NOT compile: a write quorum of 3 of 6 is not a majority (Vw <= V/2), so two writes could
// both succeed without seeing each other; the read quorum of 4 keeps Vr + Vw > V, so only the
// majority rule trips. The static_assert message contains "unsafe quorum".
#include "aurora/storage/quorum.hpp"

int main() {
  aurora::storage::quorum_sizes q(aurora::storage::quorum<6, 3, 4>{});
  return q.v();
}
