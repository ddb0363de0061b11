// Simulated time.
//
// Every clock in the toolkit is simulated: there is no wall clock anywhere in the model. Time is
// an integer number of microseconds since the start of a run, wrapped in a strong type so that a
// count of LSNs or bytes can never be mistaken for a time. `us`, `ms` and `s` build durations,
// and `to_string` prints them the way the scenario language writes them (`250us`, `5ms`, `2s`).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace aurora::sim {

// A span of simulated time in whole microseconds. May be negative only as the result of a
// subtraction; the scheduler rejects negative delays.
class duration {
 public:
  constexpr duration() = default;
  constexpr explicit duration(std::int64_t count_us) : count_us_(count_us) {}

  [[nodiscard]] constexpr std::int64_t count_us() const { return count_us_; }
  // The address of the count, for a reader that must see it change (the assertion context).
  [[nodiscard]] constexpr const std::int64_t* count_us_address() const { return &count_us_; }

  constexpr auto operator<=>(const duration&) const = default;
  constexpr duration operator+(duration other) const { return duration(count_us_ + other.count_us_); }
  constexpr duration operator-(duration other) const { return duration(count_us_ - other.count_us_); }
  constexpr duration operator*(std::int64_t factor) const { return duration(count_us_ * factor); }
  constexpr duration& operator+=(duration other) {
    count_us_ += other.count_us_;
    return *this;
  }

 private:
  std::int64_t count_us_ = 0;
};

// A moment of a run: the duration since its start (time zero).
using time_point = duration;

constexpr duration us(std::int64_t count) { return duration(count); }
constexpr duration ms(std::int64_t count) { return duration(count * 1'000); }
constexpr duration s(std::int64_t count) { return duration(count * 1'000'000); }

// The largest unit that divides the value exactly: 2000000 -> "2s", 5000 -> "5ms", 7 -> "7us".
inline std::string to_string(duration value) {
  const std::int64_t count = value.count_us();
  if (count != 0 && count % 1'000'000 == 0) return std::to_string(count / 1'000'000) + "s";
  if (count != 0 && count % 1'000 == 0) return std::to_string(count / 1'000) + "ms";
  return std::to_string(count) + "us";
}

}  // namespace aurora::sim
