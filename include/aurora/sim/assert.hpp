// AURORA_ASSERT: the toolkit's own invariants, on in every build.
//
// The toolkit separates two kinds of trouble (DESIGN.md §3, "Faults are data"):
//  - a *simulated* fault (a lost message, a crashed node) is an ordinary outcome that the model
//    handles and returns as a value;
//  - a broken invariant of the toolkit's own code is a bug: it stops the program at once with the
//    condition, a message, the source location and, when a run is in progress, the simulated time
//    and seed, so that the failure can be replayed.
// Misuse of the API by a caller (scheduling in the past, an unknown participant) is neither: it
// throws `aurora::usage_error`, which tests and the command-line programs catch and report.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace aurora {

// Thrown for API misuse and bad input: the caller can recover, print the message and exit 2.
class usage_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {

// The run context that an assertion prints. A model sets it when it is built (db::cluster):
// `now_us` points at its scheduler's clock, so the time printed is the time of the failure at
// no cost per event. Each thread has its own (explore's workers), so output never mixes.
struct assert_context {
  bool active = false;
  const std::int64_t* now_us = nullptr;
  std::uint64_t seed = 0;
};

inline assert_context& current_assert_context() {
  thread_local assert_context context;
  return context;
}

// Cold and out of line, with the message as a view: an assertion costs its caller a compare and
// a branch, so the small functions that hold one (every bounds check) still inline.
[[noreturn, gnu::cold, gnu::noinline]] inline void assert_failed(const char* condition,
                                                                 std::string_view message,
                                                                 const char* file, int line) {
  const assert_context& context = current_assert_context();
  std::fprintf(stderr, "aurora: internal invariant broken: %s\n  %.*s\n  at %s:%d\n", condition,
               static_cast<int>(message.size()), message.data(), file, line);
  if (context.active) {
    std::fprintf(stderr, "  simulated time %lld us, seed %llu\n",
                 static_cast<long long>(context.now_us != nullptr ? *context.now_us : -1),
                 static_cast<unsigned long long>(context.seed));
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail
}  // namespace aurora

// One condition per assertion; the message says what should have been true and why.
#define AURORA_ASSERT(condition, message)                                         \
  do {                                                                            \
    if (!(condition)) [[unlikely]] {                                              \
      ::aurora::detail::assert_failed(#condition, (message), __FILE__, __LINE__); \
    }                                                                             \
  } while (false)
