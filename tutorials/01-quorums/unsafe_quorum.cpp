// Tutorial 1, step 2: this file must NOT compile.
//
// Three copies to write and three to read out of six break Vr + Vw > V (3 + 3 = 6: a read
// quorum can miss the latest write) and Vw > V/2 (two writes of 3 could each succeed without
// seeing the other) [P17 §2.1]. The static_asserts in aurora/storage/quorum.hpp stop the build.
// Try it from the repository root:
//   g++ -std=c++20 -Iinclude -fsyntax-only tutorials/01-quorums/unsafe_quorum.cpp
// The teaching variant that does compile says so explicitly:
//   aurora::storage::quorum<6, 3, 3, aurora::storage::safety::unsafe_teaching_variant>
#include "aurora/storage/quorum.hpp"

aurora::storage::quorum_sizes unsafe_sizes(aurora::storage::quorum<6, 3, 3>{});
