// The tiling loop every integer x16 kernel shares (kernels/repack_x16.h): whole 16-row groups,
// and per group the tokens in tiles of kMaxTokens, the last 1..kMaxTokens-1 in one tile. The
// tile is a template on its token count so that its accumulators stay in registers.
#pragma once

#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/repack_x16.h"

namespace pocket::x86 {

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
}  // namespace detail

// Calls tile.operator()<T>(r, t) for rows [r, r + 16) and tokens [t, t + T) over the product;
// rows [r0, r1) must be whole 16-row groups (matmul splits in multiples of the row tile).
template <int kMaxTokens, class Tile>
void for_each_x16_tile(const GemmArgs& a, Tile&& tile) {
  for (int64_t r = a.r0; r < a.r1; r += kX16Rows) {
    int64_t t = 0;
    for (; t + kMaxTokens <= a.n_tok; t += kMaxTokens) tile.template operator()<kMaxTokens>(r, t);
    if (t < a.n_tok) detail::x16_tail_tile<kMaxTokens - 1>(tile, r, t, a.n_tok - t);
  }
}

}  // namespace pocket::x86
