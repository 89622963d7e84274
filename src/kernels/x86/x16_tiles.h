// The tiling loop every integer x16 kernel shares (kernels/repack_x16.h): whole 16-row groups,
// and per group the tokens in tiles of kMaxTokens, the last 1..kMaxTokens-1 in one tile. The
// tile is a template on its token count so that its accumulators stay in registers.
// Included only by the x16 kernel files (avx2_, avxvnni_, avx512_): everything is in an anonymous
// namespace, so no instantiation compiled for one ISA can stand in for another's at link time.
#pragma once

#include <xmmintrin.h>  // _mm_prefetch (SSE: every x86-64 CPU)

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/repack_x16.h"
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/unroll.h"

namespace pocket::x86 {
namespace {  // each file its own copy, compiled with its own flags (see qgemm_tile.h)

namespace detail {
template <int T, class Tile>
void x16_tail_tile(Tile& tile, int64_t r, int64_t t, int64_t n) {
  if constexpr (T >= 1) {
    if (n == T) {
      tile.template operator()<T>(r, t);
    } else {
      x16_tail_tile<T - 1>(tile, r, t, n);
    }
  }
}

// Tokens [tb, te) of rows [r, ...) in tiles of kMaxTokens, the last 1..kMaxTokens-1 in one tile.
template <int kMaxTokens, class Tile>
void x16_token_tiles(Tile& tile, int64_t r, int64_t tb, int64_t te) {
  int64_t t = tb;
  for (; t + kMaxTokens <= te; t += kMaxTokens) tile.template operator()<kMaxTokens>(r, t);
  if (t < te) x16_tail_tile<kMaxTokens - 1>(tile, r, t, te - t);
}

// Calls blocks(rb, re, tb, te) for rows [r0, r1) in blocks of a multiple of `row_step` rows and
// all tokens in blocks of a multiple of kTileTokens, each block about kX16BlockBytes of weights
// or activations (see there).
template <int kTileTokens, class Blocks>
void x16_blocks(const GemmArgs& a, int64_t row_step, Blocks&& blocks) {
  const size_t step_bytes = static_cast<size_t>(row_step) * a.w_stride;
  const int64_t block_rows = row_step * static_cast<int64_t>(std::max<size_t>(
                                            1, kX16BlockBytes / std::max<size_t>(1, step_bytes)));
  const int64_t block_tokens =
      kTileTokens * static_cast<int64_t>(std::max<size_t>(
                        1, kX16BlockBytes / std::max<size_t>(1, kTileTokens * a.x_stride)));
  for (int64_t rb = a.r0; rb < a.r1; rb += block_rows) {
    const int64_t re = std::min(a.r1, rb + block_rows);
    for (int64_t tb = 0; tb < a.n_tok; tb += block_tokens) {
      blocks(rb, re, tb, std::min(a.n_tok, tb + block_tokens));
    }
  }
}
}  // namespace detail

// Calls tile.operator()<T>(r, t) for rows [r, r + 16) and tokens [t, t + T) over the product;
// rows [r0, r1) must be whole 16-row groups (matmul splits in multiples of the row tile). Rows
// and tokens go in blocks of about kX16BlockBytes each (see there); token blocks are whole tiles,
// so only the last block has a tail.
template <int kMaxTokens, class Tile>
void for_each_x16_tile(const GemmArgs& a, Tile&& tile) {
  detail::x16_blocks<kMaxTokens>(a, kX16Rows, [&](int64_t rb, int64_t re, int64_t tb, int64_t te) {
    for (int64_t r = rb; r < re; r += kX16Rows)
      detail::x16_token_tiles<kMaxTokens>(tile, r, tb, te);
  });
}

// Prefill with tiles of two 16-row groups, so that each activation broadcast feeds two dot
// products: the blocks of for_each_x16_tile with an even number of groups each, whose groups go
// two at a time to pair.operator()<T>(r, t) (rows [r, r + 32), T <= kPairTokens tokens). A range
// with an odd number of groups leaves its last to single.operator()<T>(r, t) (T <= kMaxTokens).
template <int kPairTokens, int kMaxTokens, class PairTile, class SingleTile>
void for_each_x16_pair_tile(const GemmArgs& a, PairTile&& pair, SingleTile&& single) {
  constexpr int64_t kPairRows = 2 * kX16Rows;
  detail::x16_blocks<kPairTokens>(a, kPairRows,
                                  [&](int64_t rb, int64_t re, int64_t tb, int64_t te) {
                                    int64_t r = rb;
                                    for (; r + kPairRows <= re; r += kPairRows)
                                      detail::x16_token_tiles<kPairTokens>(pair, r, tb, te);
                                    if (r < re)
                                      detail::x16_token_tiles<kMaxTokens>(single, r, tb, te);
                                  });
}

// Registers an integer x16 kernel: int8 activations, thread ranges in whole 16-row groups (or
// whole multiples of `row_tile` rows).
inline void put_x16_kernel(KernelSet& set, DType type, GemmFn fn, ActFormat act = ActFormat::kQ8,
                           int row_tile = kX16Rows) {
  set.gemm[static_cast<size_t>(type)] = {fn, act, row_tile};
}

// The activation rows of tokens [t, t + T).
template <int T>
inline void tile_activations(const GemmArgs& a, int64_t t, const ActBlockQ8* x[T]) {
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    x[u] = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                               static_cast<size_t>(t + u) * a.x_stride);
  }
}

// Decode (one token per tile): one core pulls more from memory with more lines in flight than
// the hardware prefetcher keeps, so each step fetches the kBytes kDecodePrefetchDistance ahead of
// where it reads. The x16 layout is read in address order, group after group, so the fetches form
// one ascending stream across group boundaries (a prefetch past the matrix never faults).
template <size_t kBytes>
inline void prefetch_ahead(const uint8_t* here) {
  POCKET_UNROLL
  for (size_t off = 0; off < kBytes; off += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(here + kDecodePrefetchDistance + off), _MM_HINT_T0);
  }
}

}  // namespace
}  // namespace pocket::x86
