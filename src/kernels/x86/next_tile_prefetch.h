// Software prefetch for the one-token (decode) kernels, which stream a tile of R consecutive
// weight rows at a time: while a tile is read, the next tile's bytes are fetched in address
// order, one cache line per step() (the kernels call it once per row and 64 bytes or more they
// read, so the fetches keep ahead of the reads). The reads ahead thus form one ascending stream.
//
// What the earlier pattern measured (fetch each row's bytes at the same place in the next tile,
// or 1 KB ahead within rows longer than 2 KB; 1.5B files, 2 threads, variants alternated token by
// token in one process): Q4_0 decode 25.8 -> 23.7 ms per token and Q8_0 47.5 -> 42.6 ms in a
// phase where the VM's memory was slow; where it was fast, Q4_0 16.17 -> 16.41 ms (1.5% slower)
// and Q8_0 36.84 -> 33.76 ms. A Q6_K matrix of output size (151936 x 1536) read at 26.8 -> 35.0
// GB/s with 2 threads (2-row tiles).
// A tile smaller than kDecodePrefetchDistance (Q6_K's 2-row tiles of 1536-value rows: 2.5 KB) is
// fetched that far ahead instead of one tile ahead: the next tiles are contiguous, so it is the
// same stream, further ahead. 2026-12-01, 1.5B Q4_0 decode, 2 threads, alternated token by token
// in one process (together with the x16 change in x16_tiles.h): the Q6_K output matrix's 8 KB
// against one tile ahead took the token from 13.86 to 13.47 ms where the VM's memory was fast,
// 19.70 to 19.53 ms where it was slow.
// The rows must be contiguous apart from a fixed stride (the next tile starts R strides on);
// a prefetch never faults, so fetching past the matrix's end is harmless.
#pragma once

#include <xmmintrin.h>  // _mm_prefetch

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace pocket::x86 {

// How far ahead of its reads a decode kernel fetches (at least): far enough to cover the memory
// latency at full bandwidth, near enough that the lines are still in L1/L2 when read.
inline constexpr size_t kDecodePrefetchDistance = 8 * 1024;

class NextTilePrefetch {
 public:
  NextTilePrefetch(const uint8_t* tile, size_t tile_bytes)
      : next_(reinterpret_cast<const char*>(tile + std::max(tile_bytes, kDecodePrefetchDistance))),
        last_(static_cast<int64_t>(tile_bytes) - 1) {}

  void step() {
    _mm_prefetch(next_ + at_, _MM_HINT_T0);
    at_ = at_ + 64 < last_ ? at_ + 64 : last_;
  }

 private:
  const char* next_;
  int64_t last_;
  int64_t at_ = 0;
};

}  // namespace pocket::x86
