// Single-thread benchmarks of the element-wise kernels whose exp --fast-math changes, for every
// ISA this CPU runs (scalar = the std::exp references):
//   exp/<isa>, exp_fast/<isa>            one 64-score block of the attention softmax
//   silu_mul/<isa>, silu_mul_fast/<isa>  SiLU(gate) x up over 8960 values (a 1.5B model's FFN)
// Reported as items_per_second = values per second (1e9 / that = ns per value).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "kernels/gemm.h"

namespace pocket {
namespace {

void run_exp(benchmark::State& state, ExpFn fn) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> score(-12.0f, 0.0f);  // scores minus the block's max
  std::vector<float> in(64), out(64);
  for (float& v : in) v = score(rng);
  for (auto _ : state) {
    fn(in.data(), 0.0f, out.data(), 64);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 64);
}

void run_silu(benchmark::State& state, SiluMulFn fn) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> value(-6.0f, 6.0f);
  std::vector<float> gate(8960), up(8960), out(8960);
  for (size_t i = 0; i < gate.size(); ++i) {
    gate[i] = value(rng);
    up[i] = value(rng);
  }
  for (auto _ : state) {
    fn(gate.data(), up.data(), out.data(), 8960);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 8960);
}

void register_all() {
  for (Isa isa : kAllIsas) {
    const KernelSet* set = kernels_for(isa);
    if (set == nullptr) continue;
    // Names built with append: GCC 12's -Wrestrict misfires on `"literal" + std::string` at -O3.
    const auto name = [&](const char* kernel) {
      std::string s(kernel);
      s.append("/").append(isa_name(isa));
      return s;
    };
    benchmark::RegisterBenchmark(name("exp").c_str(), run_exp, set->exp);
    benchmark::RegisterBenchmark(name("exp_fast").c_str(), run_exp, set->exp_fast);
    benchmark::RegisterBenchmark(name("silu_mul").c_str(), run_silu, set->silu_mul);
    benchmark::RegisterBenchmark(name("silu_mul_fast").c_str(), run_silu, set->silu_mul_fast);
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
