// POCKET_UNROLL: fully unrolls the loops over the rows and tokens of a tile early enough for GCC
// to keep the accumulator arrays in registers (without it they live on the stack).
#pragma once

#if defined(__clang__)
#define POCKET_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define POCKET_UNROLL _Pragma("GCC unroll 16")
#else
#define POCKET_UNROLL
#endif
