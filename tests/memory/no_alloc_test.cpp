// A generated token must not allocate: the forward pass takes its scratch from the context's
// arena (sized once), the thread pool runs jobs through non-owning references, and the sampler
// keeps its buffers. This binary replaces the global operator new with a counting one (it is its
// own test executable so the counter sees nothing else), runs a warm-up, then counts every
// allocation made by any thread over many decode steps.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "io/gguf.h"
#include "model/gguf_model_loader.h"
#include "runtime/context.h"
#include "runtime/sampler.h"
#include "shared_data.h"

namespace {
std::atomic<uint64_t> g_allocations{0};

void* counted_alloc(std::size_t n, std::size_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t)
                ? std::aligned_alloc(align, (n + align - 1) / align * align)
                : std::malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  return counted_alloc(n, 0);
}
void* operator new[](std::size_t n) {
  return counted_alloc(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace pocket {
namespace {

struct NoAllocCase {
  KvType kv;
  int threads;
};

class NoAllocation : public ::testing::TestWithParam<NoAllocCase> {};

TEST_P(NoAllocation, GeneratedTokensAllocateNothing) {
  const auto file = std::make_shared<const GgufFile>(
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf")));
  const auto model = load_gguf_model(file);
  Context ctx(
      *model,
      {.n_ctx = 256, .n_seq_max = 1, .n_threads = GetParam().threads, .kv_type = GetParam().kv});
  SamplingParams sp;         // the default chain: penalties off, top-k, temperature, top-p, min-p
  sp.repeat_penalty = 1.1f;  // and penalties on, so their buffers are used too
  Sampler sampler(sp, static_cast<int>(model->spec().n_vocab));

  // Warm-up: a prompt and a few tokens size every buffer that is sized on first use.
  Batch batch;
  for (int32_t i = 0; i < 8; ++i) batch.add(10 + i, i, 0, i == 7);
  ctx.decode(batch);
  int32_t pos = 8;
  auto step = [&] {
    const int32_t id = sampler.sample(ctx.logits(0));
    sampler.accept(id);
    batch.clear();
    batch.add(id, pos++, 0, true);
    ctx.decode(batch);
  };
  for (int i = 0; i < 4; ++i) step();

  // Positions 12..111 stay inside the KV cache's first 256-position block.
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 100; ++i) step();
  EXPECT_EQ(g_allocations.load() - before, 0u) << "allocations during 100 generated tokens";
}

INSTANTIATE_TEST_SUITE_P(KvTypesAndThreads, NoAllocation,
                         ::testing::Values(NoAllocCase{KvType::kF16, 1},
                                           NoAllocCase{KvType::kF16, 2},
                                           NoAllocCase{KvType::kQ8, 2},
                                           NoAllocCase{KvType::kF32, 2}));

// The counter itself works: a test that can fail.
TEST(NoAllocationCounter, SeesAllocations) {
  const uint64_t before = g_allocations.load();
  auto* v = new std::vector<int>(1000);
  delete v;
  EXPECT_GE(g_allocations.load() - before, 2u);
}

}  // namespace
}  // namespace pocket
