// The sampler's random numbers: xoshiro256** seeded through splitmix64 (Blackman & Vigna's
// reference algorithms). Written out here, instead of <random>'s engines and distributions,
// because std::uniform_real_distribution differs between standard libraries: with this one a seed
// gives the same draws on every platform and compiler.
#pragma once

#include <cstdint>

namespace pocket {

class SamplerRng {
 public:
  explicit SamplerRng(uint64_t seed) { seed_with(seed); }

  void seed_with(uint64_t seed) {
    for (uint64_t& word : s_) word = splitmix64(seed);  // never all zero
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits: exact in a double, no rounding up to 1.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // Advances state and returns the next splitmix64 output.
  static uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  uint64_t s_[4];
};

}  // namespace pocket
