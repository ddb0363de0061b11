// Must NOT compile: quorum<9, 5, 5> counts 9 copies, but 3 AZs x 2 copies places 6. Without the
// static_assert in storage/protection_group.hpp the model would count 5 acknowledgements out of
// 6 segments as a write quorum. The build checks that this stays a compile error (its message
// contains "V == azs * copies_per_az").
#include "aurora/storage/protection_group.hpp"

int main() {
  using nine_in_six = aurora::storage::protection_group<aurora::storage::quorum<9, 5, 5>, 3, 2>;
  return nine_in_six::segments;
}
