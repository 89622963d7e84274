// Single-thread GEMM kernel benchmarks for every ISA this CPU runs and the common weight types:
//   gemv/<isa>/<type>  1 token, k=1536, rows=8960 (a decode step of a 1.5B model's FFN):
//                      memory bound, reported as GB/s of weights read.
//   gemv_dram/<isa>/<type>  1 token, k=1536, rows=131072 (an output projection's size, 113 MB
//                      of Q4_0): far beyond the caches, so it shows what one core pulls from DRAM.
//   batch2, batch8/<isa>/<type>  the gemv shape with 2 or 8 tokens (several sequences decoding,
//                      short prompts): should cost little more than one gemv pass.
//   gemm/<isa>/<type>  64 tokens, k=1536, rows=1024 (prefill): compute bound, reported as GOP/s
//                      (2 * rows * k * tokens per call).
//   prefill/<isa>/<type> 256 tokens, k=1536, rows=1536 (a prompt's Q projection): GOP/s.
// <name>_X16: the same weights repacked as the engine runs them (kernels/repack_x16.h).
// Only the kernel is timed: activations are quantized (with that ISA's quantizer) beforehand.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/half.h"
#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"
#include "kernels/repack_x16.h"

namespace pocket {
namespace {

struct Shape {
  const char* name;
  int64_t k, rows, tokens;
};

// Random weights of `type`: quantized random values (legacy and float types) or random bytes with
// small finite f16 scales (K-quants).
std::vector<uint8_t> make_weights(DType type, int64_t k, int64_t rows, std::mt19937& rng) {
  const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
  std::vector<uint8_t> w(stride * static_cast<size_t>(rows));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  if (type == DType::kQ4_K || type == DType::kQ6_K) {  // no quantizer here: random bytes
    std::uniform_int_distribution<int> byte(0, 255);
    for (uint8_t& b : w) b = static_cast<uint8_t>(byte(rng));
    const uint16_t d = fp32_to_fp16(0.01f);
    const size_t block = dtype_info(type).block_bytes;
    for (size_t at = 0; at < w.size(); at += block) {
      if (type == DType::kQ6_K) {
        std::memcpy(&w[at + 208], &d, 2);  // d is the last field
      } else {
        std::memcpy(&w[at], &d, 2);
        std::memcpy(&w[at + 2], &d, 2);
      }
    }
    return w;
  }
  std::vector<float> v(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    for (float& x : v) x = normal(rng);
    quantize_row(type, v.data(), w.data() + static_cast<size_t>(r) * stride, k);
  }
  return w;
}

// x16: the weights repacked at load (kernels/repack_x16.h), as the engine runs them on this ISA.
void run(benchmark::State& state, Isa isa, DType type, Shape shape, bool x16) {
  const KernelSet& set = *kernels_for(isa);
  const GemmKernel& kern = *set.find(x16 ? *x16_type_for(type) : type);
  std::mt19937 rng(42);
  std::vector<uint8_t> w = make_weights(type, shape.k, shape.rows, rng);
  if (x16) {
    std::vector<uint8_t> packed(w.size());
    repack_x16(type, w.data(), row_bytes(type, static_cast<uint64_t>(shape.k)), shape.rows, shape.k,
               packed.data());
    w.swap(packed);
  }
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(shape.k * shape.tokens));
  for (float& v : x) v = normal(rng);
  std::vector<ActBlockQ8> xq(static_cast<size_t>(shape.k / kActBlock * shape.tokens));
  std::vector<float> y(static_cast<size_t>(shape.rows * shape.tokens));
  GemmArgs a;
  a.w = w.data();
  a.w_stride = row_bytes(type, static_cast<uint64_t>(shape.k));
  a.k = shape.k;
  a.r0 = 0;
  a.r1 = shape.rows;
  a.n_tok = shape.tokens;
  a.y = y.data();
  a.y_stride = shape.rows;
  if (is_int8(kern.act)) {
    const QuantizeActFn quantize = set.quantizer(kern.act);
    for (int64_t t = 0; t < shape.tokens; ++t) {
      quantize(x.data() + t * shape.k, xq.data() + t * (shape.k / kActBlock), shape.k);
    }
    a.x = xq.data();
    a.x_stride = static_cast<size_t>(shape.k / kActBlock) * sizeof(ActBlockQ8);
  } else {
    a.x = x.data();
    a.x_stride = static_cast<size_t>(shape.k) * sizeof(float);
  }
  for (auto _ : state) {
    kern.fn(a);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double bytes = static_cast<double>(w.size());
  const double ops = 2.0 * static_cast<double>(shape.rows * shape.k * shape.tokens);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["GB/s"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GOP/s"] =
      benchmark::Counter(ops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  const Shape shapes[] = {{"gemv", 1536, 8960, 1},   {"gemv_dram", 1536, 131072, 1},
                          {"batch2", 1536, 8960, 2}, {"batch8", 1536, 8960, 8},
                          {"gemm", 1536, 1024, 64},  {"prefill", 1536, 1536, 256}};
  for (Isa isa : kAllIsas) {
    if (kernels_for(isa) == nullptr) continue;
    for (const Shape& shape : shapes) {
      // Minutes per case, tells nothing:
      if (isa == Isa::kScalar && (shape.tokens > 64 || shape.rows > 8960)) continue;
      for (DType type : {DType::kQ4_0, DType::kQ8_0, DType::kF16, DType::kQ4_K, DType::kQ6_K,
                         DType::kPQ4_G128, DType::kPQ8_G128}) {
        const std::string name = std::string(shape.name) + "/" + std::string(isa_name(isa)) + "/" +
                                 std::string(dtype_name(type));
        benchmark::RegisterBenchmark(name.c_str(), run, isa, type, shape, false)
            ->Unit(benchmark::kMicrosecond);
        const std::optional<DType> x16 = x16_type_for(type);
        const GemmKernel* native = x16 ? kernels_for(isa)->find(*x16) : nullptr;
        if (native && native->fn != kernels_for(Isa::kScalar)->find(*x16)->fn) {
          benchmark::RegisterBenchmark((name + "_X16").c_str(), run, isa, type, shape, true)
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
}

}  // namespace
}  // namespace pocket

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  pocket::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
