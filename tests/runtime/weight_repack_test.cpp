// Load-time repacking (runtime/weight_repack.h): a model whose matrices were repacked into this
// CPU's x16 layout gives the logits of the same model in the file layout, streamed units are
// left alone, and the token embedding is never touched.
#include "runtime/weight_repack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/file_region.h"
#include "core/half.h"
#include "core/thread_pool.h"
#include "io/gguf.h"
#include "kernels/gemm.h"
#include "kernels/matmul.h"
#include "kernels/ref/dequant.h"
#include "kernels/repack_x16.h"
#include "model/gguf_model_loader.h"
#include "runtime/context.h"
#include "shared_data.h"

namespace pocket {
namespace {

// Q4_K has no quantizer here: random codes and sub-block scales with small finite d and dmin
// (a fixed seed, so the file-layout and the repacked model get the same bytes).
void random_q4k_rows(uint8_t* out, size_t n_bytes, unsigned seed) {
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n_bytes; ++i) out[i] = static_cast<uint8_t>(rng());
  const uint16_t d = fp32_to_fp16(0.002f), dmin = fp32_to_fp16(0.001f);
  for (size_t at = 0; at < n_bytes; at += 144) {
    std::memcpy(out + at, &d, 2);
    std::memcpy(out + at + 2, &dmin, 2);
  }
}

// brown-qwen2-7m with every matrix but the embedding quantized to `type` in memory.
std::unique_ptr<Model> brown_as(DType type) {
  auto model = load_gguf_model(std::make_shared<const GgufFile>(
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"))));
  const ModelWeights& w = model->weights();
  std::vector<const TensorView*> matrices;
  for (const auto& l : w.layers) {
    for (const TensorView* t : {l.wq, l.wk, l.wv, l.wo, l.w_gate, l.w_up, l.w_down})
      matrices.push_back(t);
  }
  if (w.output != w.tok_embd) matrices.push_back(w.output);
  for (const TensorView* t : matrices) {
    const int64_t k = t->ne[0];
    const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
    auto bytes = std::make_shared<std::vector<uint8_t>>(stride * static_cast<size_t>(t->n_rows()));
    if (type == DType::kQ4_K) {
      random_q4k_rows(bytes->data(), bytes->size(), static_cast<unsigned>(bytes->size()));
      model->replace_tensor_data(t, type, bytes->data(), bytes);
      continue;
    }
    for (int64_t r = 0; r < t->n_rows(); ++r) {
      quantize_row(type, reinterpret_cast<const float*>(t->row(r)),
                   bytes->data() + static_cast<size_t>(r) * stride, k);
    }
    model->replace_tensor_data(t, type, bytes->data(), bytes);
  }
  return model;
}

std::vector<float> logits_of(const Model& model) {
  Context ctx(model, {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2, .kv_type = KvType::kF32});
  std::vector<float> out;
  Batch b;
  for (int32_t i = 0; i < 20; ++i) b.add(20 + 3 * i, i, 0, true);  // prefill tiles and tails
  ctx.decode(b);
  for (int i = 0; i < ctx.n_outputs(); ++i) {
    const auto row = ctx.logits(i);
    out.insert(out.end(), row.begin(), row.end());
  }
  b.clear();
  b.add(77, 20, 0, true);  // one decode step
  ctx.decode(b);
  const auto row = ctx.logits(0);
  out.insert(out.end(), row.begin(), row.end());
  return out;
}

// Whether this CPU's kernels repack `type` at load (AVX2 fewer types than AVX-512, ARM none).
bool repacks_here(DType type) {
  const std::vector<DType> here = repacked_types();
  return std::find(here.begin(), here.end(), type) != here.end();
}

// Every matrix, repacked, gives the products it gave in the file layout (only the order of the
// float additions differs: the integer sums are exact, and the F16/BF16 products are the same
// products), for decode and prefill token counts.
TEST(WeightRepack, RepackedMatricesGiveTheSameProducts) {
  if (!repacks_here(DType::kQ4_0))
    GTEST_SKIP() << "no x16 kernels for " << isa_name(active_kernels().isa);
  ThreadPool pool(2);
  for (DType type : {DType::kQ4_0, DType::kQ8_0, DType::kPQ4_G128, DType::kPQ8_G64, DType::kF16,
                     DType::kBF16, DType::kQ4_K}) {
    if (!repacks_here(type)) continue;
    const auto file_layout = brown_as(type);
    auto repacked = brown_as(type);
    const RepackStats stats = repack_weights(*repacked, nullptr, 2);
    const ModelWeights& w = repacked->weights();
    ASSERT_EQ(stats.tensors, static_cast<int>(7 * w.layers.size() + 1)) << dtype_name(type);
    EXPECT_EQ(w.tok_embd->type, DType::kF32);  // the embedding is left alone
    for (size_t l = 0; l < w.layers.size(); ++l) {
      const LayerWeights& a = file_layout->weights().layers[l];
      const LayerWeights& b = w.layers[l];
      for (auto m : {&LayerWeights::wq, &LayerWeights::wk, &LayerWeights::wv, &LayerWeights::wo,
                     &LayerWeights::w_gate, &LayerWeights::w_up, &LayerWeights::w_down}) {
        const TensorView& before = *(a.*m);
        const TensorView& after = *(b.*m);
        ASSERT_EQ(after.type, *x16_type_for(type)) << after.name;
        const int64_t k = before.ne[0], rows = before.n_rows();
        for (int64_t tokens : {1, 5, 20}) {
          std::vector<float> x(static_cast<size_t>(k * tokens));
          for (size_t i = 0; i < x.size(); ++i) {
            x[i] = std::sin(0.37f * static_cast<float>(i)) + (i % 97 == 0 ? 20.0f : 0.0f);
          }
          std::vector<float> want(static_cast<size_t>(rows * tokens)), got(want.size());
          matmul(before, x.data(), k, tokens, want.data(), rows, pool);
          matmul(after, x.data(), k, tokens, got.data(), rows, pool);
          for (size_t i = 0; i < want.size(); ++i) {
            ASSERT_NEAR(got[i], want[i], 1e-5f * (1.0f + std::fabs(want[i])))
                << after.name << " tokens " << tokens << " output " << i;
          }
        }
      }
    }
  }
}

// Where this CPU repacks, a matrix without an x16 layout is moved out of the file mapping as it
// is (into the huge-page arena): same type, same bytes, new place, so the same products to the
// bit. An in-memory model's matrices stay where they are (a copy could not free them).
TEST(WeightRepack, MatricesWithoutAnX16LayoutMoveOutOfTheFileMapping) {
  if (repacked_types().empty())
    GTEST_SKIP() << "nothing is repacked on " << isa_name(active_kernels().isa);
  ASSERT_FALSE(x16_type_for(DType::kF32).has_value());
  const auto open_f32 = [] {
    return load_gguf_model(std::make_shared<const GgufFile>(
        GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"))));
  };
  const auto file_layout = open_f32();
  auto moved = open_f32();
  const RepackStats stats = repack_weights(*moved, nullptr, 2);
  const ModelWeights& w = moved->weights();
  EXPECT_EQ(stats.tensors, 0);
  EXPECT_EQ(stats.moved_tensors, static_cast<int>(7 * w.layers.size() + 1));
  ThreadPool pool(2);
  std::vector<float> x(4096);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.11f * static_cast<float>(i));
  uint64_t bytes = w.output->nbytes;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    for (auto m : {&LayerWeights::wq, &LayerWeights::wk, &LayerWeights::wv, &LayerWeights::wo,
                   &LayerWeights::w_gate, &LayerWeights::w_up, &LayerWeights::w_down}) {
      const TensorView& before = *(file_layout->weights().layers[l].*m);
      const TensorView& after = *(w.layers[l].*m);
      ASSERT_EQ(after.type, DType::kF32) << after.name;
      ASSERT_FALSE(find_file_region(after.data).has_value()) << after.name << " still mapped";
      ASSERT_EQ(std::memcmp(before.data, after.data, before.nbytes), 0) << after.name;
      bytes += after.nbytes;
      const int64_t k = before.ne[0], rows = before.n_rows();
      ASSERT_LE(static_cast<size_t>(k), x.size());
      std::vector<float> want(static_cast<size_t>(rows)), got(want.size());
      matmul(before, x.data(), k, 1, want.data(), rows, pool);
      matmul(after, x.data(), k, 1, got.data(), rows, pool);
      EXPECT_EQ(got, want) << after.name;
    }
  }
  EXPECT_EQ(stats.moved_bytes, bytes);

  auto in_memory = brown_as(DType::kQ5_0);  // no x16 layout, bytes in a std::vector
  ASSERT_FALSE(x16_type_for(DType::kQ5_0).has_value());
  const RepackStats left = repack_weights(*in_memory, nullptr, 2);
  EXPECT_EQ(left.tensors + left.moved_tensors, 0);
}

// Loading maps in only what is still in the file: the repacked matrices were written at load.
TEST(WeightRepack, PopulateSkipsWhatWasRepacked) {
  auto model = load_gguf_model(std::make_shared<const GgufFile>(
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf"))));
  const uint64_t total = populate_weights(*model, nullptr, 1 << 20);  // every matrix, from the file
  const RepackStats stats = repack_weights(*model, nullptr, 2);
  EXPECT_EQ(populate_weights(*model, nullptr, 1 << 20), total - stats.bytes - stats.moved_bytes);
  if (repacks_here(DType::kF16)) {
    EXPECT_GT(stats.bytes, 0u);
  }
  if (!repacked_types().empty()) {
    EXPECT_EQ(populate_weights(*model, nullptr, 1 << 20), 0u);  // every matrix repacked or moved
  }
}

// End to end the logits agree too, though not to 1e-5: activations are quantized to int8 per
// token, so a last-bit difference in a layer's output can move one activation to the next int8
// step, which shifts later values by about one step (~1% of a block's largest value).
TEST(WeightRepack, RepackedModelGivesTheSameLogits) {
  if (!repacks_here(DType::kQ4_0))
    GTEST_SKIP() << "no x16 kernels for " << isa_name(active_kernels().isa);
  for (DType type : {DType::kQ4_0, DType::kQ8_0}) {
    auto model = brown_as(type);
    const std::vector<float> want = logits_of(*model);
    repack_weights(*model, nullptr, 2);
    const std::vector<float> got = logits_of(*model);
    ASSERT_EQ(got.size(), want.size());
    const size_t vocab = static_cast<size_t>(model->spec().n_vocab);
    double max_diff = 0.0, max_abs = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
      max_diff = std::max(max_diff, std::fabs(static_cast<double>(got[i]) - want[i]));
      max_abs = std::max(max_abs, std::fabs(static_cast<double>(want[i])));
    }
    EXPECT_LE(max_diff, 0.03 * max_abs) << dtype_name(type) << " max |logit| " << max_abs;
    for (size_t r = 0; r < got.size() / vocab; ++r) {
      const auto top = [&](const std::vector<float>& v) {
        return std::max_element(v.begin() + r * vocab, v.begin() + (r + 1) * vocab) - v.begin();
      };
      EXPECT_EQ(top(got), top(want)) << dtype_name(type) << " position " << r;
    }
  }
}

TEST(WeightRepack, StreamedUnitsKeepTheFileLayout) {
  if (!repacks_here(DType::kQ4_0))
    GTEST_SKIP() << "no x16 kernels for " << isa_name(active_kernels().isa);
  auto model = brown_as(DType::kQ4_0);
  ResidencyPlan plan;
  plan.streamed.assign(model->weights().layers.size() + 1, false);
  plan.streamed[0] = true;  // block 0
  repack_weights(*model, &plan, 1);
  EXPECT_EQ(model->weights().layers[0].w_up->type, DType::kQ4_0);
  EXPECT_EQ(model->weights().layers[1].w_up->type, DType::kQ4_0_X16);
}

}  // namespace
}  // namespace pocket
