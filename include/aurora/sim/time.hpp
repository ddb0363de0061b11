// Simulated time.
//
// Every clock in the toolkit is simulated: there is no wall clock anywhere in the model. Time is
// an integer number of microseconds since the start of a run, wrapped in a strong type so that a
// count of LSNs or bytes can never be mistaken for a time. `us`, `ms` and `s` build durations,
// and `to_string` prints them the way the scenario language writes them (`250us`, `5ms`, `2s`).
//
// Arithmetic saturates: a sum, difference or product beyond 64-bit microseconds (about 292,000
// years) is `duration::max()` (or `duration::min()`), never a wrapped value. So `now + delay` is
// at most `duration::max()`, an instant no run reaches, and a time never wraps to the past. The
// scenario language bounds every duration far below that (docs/scenario-extensions.md, "Limits"),
// so saturation is a guard for direct users of the library, not something a scenario can reach.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace aurora::sim {

namespace detail {
inline constexpr std::int64_t time_max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t time_min = std::numeric_limits<std::int64_t>::min();

constexpr std::int64_t saturating_add(std::int64_t left, std::int64_t right) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(left, right, &sum)) return sum;
  return right > 0 ? time_max : time_min;
}

constexpr std::int64_t saturating_sub(std::int64_t left, std::int64_t right) {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(left, right, &difference)) return difference;
  return right < 0 ? time_max : time_min;
}

constexpr std::int64_t saturating_mul(std::int64_t left, std::int64_t right) {
  std::int64_t product = 0;
  if (!__builtin_mul_overflow(left, right, &product)) return product;
  return (left < 0) == (right < 0) ? time_max : time_min;
}
}  // namespace detail

// A span of simulated time in whole microseconds. May be negative only as the result of a
// subtraction; the scheduler rejects negative delays. Arithmetic saturates (see above).
class duration {
 public:
  constexpr duration() = default;
  constexpr explicit duration(std::int64_t count_us) : count_us_(count_us) {}

  // The largest duration, and the instant a saturated `time_point + duration` stops at.
  static constexpr duration max() { return duration(detail::time_max); }
  static constexpr duration min() { return duration(detail::time_min); }

  [[nodiscard]] constexpr std::int64_t count_us() const { return count_us_; }
  // The address of the count, for a reader that must see it change (the assertion context).
  [[nodiscard]] constexpr const std::int64_t* count_us_address() const { return &count_us_; }

  constexpr auto operator<=>(const duration&) const = default;
  constexpr duration operator+(duration other) const {
    return duration(detail::saturating_add(count_us_, other.count_us_));
  }
  constexpr duration operator-(duration other) const {
    return duration(detail::saturating_sub(count_us_, other.count_us_));
  }
  constexpr duration operator*(std::int64_t factor) const {
    return duration(detail::saturating_mul(count_us_, factor));
  }
  constexpr duration& operator+=(duration other) { return *this = *this + other; }

 private:
  std::int64_t count_us_ = 0;
};

// A moment of a run: the duration since its start (time zero).
using time_point = duration;

constexpr duration us(std::int64_t count) { return duration(count); }
constexpr duration ms(std::int64_t count) { return duration(detail::saturating_mul(count, 1'000)); }
constexpr duration s(std::int64_t count) {
  return duration(detail::saturating_mul(count, 1'000'000));
}

// The largest unit that divides the value exactly: 2000000 -> "2s", 5000 -> "5ms", 7 -> "7us".
inline std::string to_string(duration value) {
  const std::int64_t count = value.count_us();
  if (count != 0 && count % 1'000'000 == 0) return std::to_string(count / 1'000'000) + "s";
  if (count != 0 && count % 1'000 == 0) return std::to_string(count / 1'000) + "ms";
  return std::to_string(count) + "us";
}

}  // namespace aurora::sim
