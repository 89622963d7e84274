// Memory-budget planning (which weight units stay resident) and streaming (units mapped in and
// released around their use) give the same logits as a fully resident model.
#include "runtime/residency_plan.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "io/gguf.h"
#include "model/gguf_model_loader.h"
#include "runtime/context.h"
#include "runtime/model_memory.h"
#include "runtime/weight_streamer.h"
#include "shared_data.h"

namespace pocket {
namespace {

std::unique_ptr<Model> brown() {
  return load_gguf_model(std::make_shared<const GgufFile>(
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"))));
}

uint64_t total_weight_bytes(const std::vector<WeightUnit>& units) {
  uint64_t t = 0;
  for (const auto& u : units) t += u.bytes;
  return t;
}

TEST(ResidencyPlan, UnitsCoverEveryMatrixOnce) {
  const auto model = brown();
  const auto units = weight_units(*model);
  ASSERT_EQ(units.size(), static_cast<size_t>(model->spec().n_layer + 1));
  // Every matrix but the token embedding (read a row at a time) is in exactly one unit; with a
  // tied output the embedding is the output unit.
  const auto& w = model->weights();
  const uint64_t embd = w.output == w.tok_embd ? 0 : w.tok_embd->nbytes;
  uint64_t matrices = 0;
  for (const auto& l : w.layers) {
    for (const TensorView* t : {l.wq, l.wk, l.wv, l.wo, l.w_gate, l.w_up, l.w_down})
      matrices += t->nbytes;
  }
  matrices += w.output->nbytes;
  EXPECT_EQ(total_weight_bytes(units), matrices);
  EXPECT_LE(matrices + embd, model->weight_bytes());
}

TEST(ResidencyPlan, NoBudgetOrEnoughBudgetStreamsNothing) {
  const auto model = brown();
  MemoryNeeds needs{.runtime = 10'000'000, .kv_cache = 1'000'000, .scratch = 1'000'000};
  for (uint64_t budget : {uint64_t{0}, uint64_t{1'000'000'000}}) {
    const ResidencyPlan p = plan_residency(*model, budget, needs);
    EXPECT_FALSE(p.any_streamed()) << budget;
    EXPECT_EQ(p.resident_bytes, total_weight_bytes(weight_units(*model)));
  }
}

TEST(ResidencyPlan, TightBudgetStreamsAndFits) {
  const auto model = brown();
  const auto units = weight_units(*model);
  MemoryNeeds needs{.runtime = 1'000'000, .kv_cache = 0, .scratch = 0, .margin = 0};
  const uint64_t total = total_weight_bytes(units);
  const ResidencyPlan tight = plan_residency(*model, needs.total() + total / 2, needs);
  EXPECT_TRUE(tight.any_streamed());
  EXPECT_EQ(tight.resident_bytes + tight.streamed_bytes, total);
  EXPECT_LE(needs.total() + tight.resident_bytes + tight.window_bytes, tight.budget);
  EXPECT_GT(tight.resident_bytes, 0u);
  // At the minimum everything may be streamed, and it still fits.
  const ResidencyPlan least = plan_residency(*model, tight.minimum_bytes, needs);
  EXPECT_LE(needs.total() + least.resident_bytes + least.window_bytes, least.budget);
}

TEST(ResidencyPlan, BudgetBelowMinimumIsAClearError) {
  const auto model = brown();
  MemoryNeeds needs{.runtime = 50'000'000, .kv_cache = 2'000'000, .scratch = 3'000'000};
  try {
    plan_residency(*model, 40'000'000, needs);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("memory budget 40.0 MB is below the minimum"), std::string::npos) << msg;
    EXPECT_NE(msg.find("KV cache 2.0 MB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("largest weight unit"), std::string::npos) << msg;
  }
}

TEST(ResidencyPlan, ParsesByteSizes) {
  EXPECT_EQ(parse_byte_size("3.8G"), 3'800'000'000u);
  EXPECT_EQ(parse_byte_size("3800M"), 3'800'000'000u);
  EXPECT_EQ(parse_byte_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_byte_size("512mib"), 512ull << 20);
  EXPECT_EQ(parse_byte_size("4096"), 4096u);
  for (const char* bad : {"", "G", "abc", "-1G", "0", "3.8X", "nan", "inf", "1e30G"}) {
    EXPECT_THROW(parse_byte_size(bad), Error) << bad;
  }
}

std::vector<float> run_tokens(const Model& model, WeightStreamer* streamer) {
  Context ctx(
      model,
      {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2, .kv_type = KvType::kF32, .streamer = streamer});
  std::vector<float> out;
  Batch b;
  for (int32_t i = 0; i < 6; ++i) b.add(20 + 3 * i, i, 0, true);
  ctx.decode(b);
  for (int i = 0; i < ctx.n_outputs(); ++i) {
    const auto row = ctx.logits(i);
    out.insert(out.end(), row.begin(), row.end());
  }
  for (int32_t p = 6; p < 10; ++p) {
    b.clear();
    b.add(p * 7, p, 0, true);
    ctx.decode(b);
    const auto row = ctx.logits(0);
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

TEST(WeightStreamer, StreamedWeightsGiveIdenticalLogits) {
  const auto model = brown();
  const std::vector<float> resident = run_tokens(*model, nullptr);
  ResidencyPlan all_streamed = plan_residency(*model, 0, {});
  all_streamed.streamed.assign(all_streamed.streamed.size(), true);
  WeightStreamer streamer(*model, all_streamed);
  EXPECT_EQ(run_tokens(*model, &streamer), resident);
  // A budget-made plan too (about half the weights streamed).
  MemoryNeeds needs{.runtime = 0, .kv_cache = 0, .scratch = 0, .margin = 0};
  const ResidencyPlan half =
      plan_residency(*model, total_weight_bytes(weight_units(*model)) / 2, needs);
  ASSERT_TRUE(half.any_streamed());
  WeightStreamer half_streamer(*model, half);
  EXPECT_EQ(run_tokens(*model, &half_streamer), resident);
}

TEST(WeightStreamer, PopulateMapsEachResidentByteOnceInChunks) {
  const auto model = brown();
  uint64_t calls = 0, last_done = 0, last_total = 0;
  const uint64_t populated =
      populate_weights(*model, nullptr, 100'000, [&](uint64_t d, uint64_t t) {
        EXPECT_GT(d, last_done);
        last_done = d;
        last_total = t;
        ++calls;
      });
  EXPECT_EQ(populated, total_weight_bytes(weight_units(*model)));
  EXPECT_EQ(last_done, last_total);
  EXPECT_GT(calls, populated / 100'000);  // chunks of at most 100 kB
}

TEST(ModelMemory, PrepareWeightsRefusesATooSmallBudgetBeforeMapping) {
  const auto model = brown();
  MemoryOptions options;
  options.budget = 1'000'000;  // 1 MB: less than the runtime alone
  bool mapped = false;
  options.progress = [&](uint64_t, uint64_t) { mapped = true; };
  EXPECT_THROW(prepare_weights(*model, {.n_ctx = 256}, options), Error);
  EXPECT_FALSE(mapped);
}

}  // namespace
}  // namespace pocket
