// The one seeded pseudo-random number generator of a run.
//
// Determinism (DESIGN.md §3): every random choice in a run comes from one `random` object seeded
// from the scenario's seed and passed explicitly. The algorithm and every distribution are the
// project's own, because std::mt19937 is portable but std::uniform_int_distribution and friends
// are not: two standard libraries give different numbers for the same seed.
//  - generator: xoshiro256** (Blackman and Vigna, 2018), state seeded through splitmix64;
//  - uniform integers: Lemire's multiply-and-reject method, unbiased;
//  - bernoulli: compares 53 random mantissa bits with the probability;
//  - latency: uniform in [low, high], or exponential with a mean, rounded to microseconds.
// Golden values in tests/sim/kernel_test.cpp pin the sequence so it can never change silently.
#pragma once

#include <cmath>
#include <cstdint>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::sim {

// splitmix64 (Steele, Lea and Flood): turns one 64-bit seed into well-mixed state words.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t mixed = state;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

class random {
 public:
  explicit constexpr random(std::uint64_t seed) : seed_(seed) {
    std::uint64_t state = seed;
    for (std::uint64_t& word : state_) word = splitmix64(state);
  }

  [[nodiscard]] constexpr std::uint64_t seed() const { return seed_; }

  // The next raw 64-bit output of xoshiro256**.
  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0 (Lemire, "Fast random integer generation in an interval").
  constexpr std::uint64_t below(std::uint64_t bound) {
    AURORA_ASSERT(bound > 0, "random::below needs a positive bound");
    __uint128_t product = static_cast<__uint128_t>(next()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<__uint128_t>(next()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }

  // Uniform in [low, high], both included.
  constexpr std::int64_t uniform(std::int64_t low, std::int64_t high) {
    AURORA_ASSERT(low <= high, "random::uniform needs low <= high");
    const auto span = static_cast<std::uint64_t>(high - low);
    if (span == UINT64_MAX) return static_cast<std::int64_t>(next());
    return low + static_cast<std::int64_t>(below(span + 1));
  }

  // A uniform double in [0, 1) from the top 53 bits.
  constexpr double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with the given probability (0 never draws a number from the stream: turning a fault
  // rate off must not shift the sequence of anything else).
  constexpr bool bernoulli(double probability) {
    if (probability <= 0.0) return false;
    if (probability >= 1.0) return true;
    return unit() < probability;
  }

  // True with probability percent / 100.
  constexpr bool percent(int percent) {
    if (percent <= 0) return false;
    if (percent >= 100) return true;
    return below(100) < static_cast<std::uint64_t>(percent);
  }

  // A latency uniform in [low, high].
  constexpr duration latency_uniform(duration low, duration high) {
    return duration(uniform(low.count_us(), high.count_us()));
  }

  // An exponentially distributed latency with the given mean, rounded to whole microseconds and
  // capped at 20 means so one draw can never stall a run.
  duration latency_exponential(duration mean) {
    const double draw = -std::log1p(-unit()) * static_cast<double>(mean.count_us());
    const double capped = std::fmin(draw, 20.0 * static_cast<double>(mean.count_us()));
    return duration(static_cast<std::int64_t>(std::llround(capped)));
  }

  // A new generator whose stream is independent of this one's later draws: for a participant
  // that needs its own stream without perturbing the others.
  constexpr random fork() { return random(next()); }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t value, int bits) {
    return (value << bits) | (value >> (64 - bits));
  }

  std::uint64_t seed_;
  std::uint64_t state_[4]{};
};

}  // namespace aurora::sim
