// The pool hands every index to exactly one thread (in one range per thread, or in chunks of
// per-thread shares that a free thread takes over), survives back-to-back jobs (spinning workers) and jobs after
// a pause (sleeping workers), and carries exceptions back to the caller.
#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pocket {
namespace {

// min_chunk 0: parallel_for (one range per thread); otherwise parallel_for_dynamic.
void expect_each_index_once(ThreadPool& pool, int64_t n, int64_t min_chunk = 0) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  std::atomic<int> short_chunks{0};
  auto count = [&](int, int64_t b, int64_t e) {
    if (min_chunk > 0 && e - b < min_chunk) ++short_chunks;
    for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
  };
  if (min_chunk == 0) {
    pool.parallel_for(n, count);
  } else {
    pool.parallel_for_dynamic(n, min_chunk, count);
  }
  // Only the last chunk of each thread's share may be shorter than min_chunk.
  EXPECT_LE(short_chunks.load(), pool.size()) << "n " << n << " min_chunk " << min_chunk;
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1)
        << "index " << i << " of " << n << " min_chunk " << min_chunk;
}

TEST(ThreadPool, BackToBackJobsCoverEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int job = 0; job < 2000; ++job) expect_each_index_once(pool, 1 + job % 37);
  }
}

TEST(ThreadPool, DynamicChunksCoverEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int job = 0; job < 2000; ++job) {
      expect_each_index_once(pool, 1 + job % 97, 1 + job % 7);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(ThreadPool, DynamicChunksGoToTheFreeThread) {
  // Thread 0 (the caller) is held up by its first chunk: the worker must take the rest. (One range
  // per thread would leave 30 of the 60 indices to thread 0.)
  ThreadPool pool(2);
  std::vector<std::atomic<int>> by_thread(2);
  std::atomic<bool> first{true};
  pool.parallel_for_dynamic(60, 1, [&](int tid, int64_t b, int64_t e) {
    if (tid == 0 && first.exchange(false))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    by_thread[static_cast<size_t>(tid)] += static_cast<int>(e - b);
  });
  EXPECT_EQ(by_thread[0].load() + by_thread[1].load(), 60);
  EXPECT_LT(by_thread[0].load(), 30) << "the held-up thread did half the work or more";
}

TEST(ThreadPool, AnExceptionInADynamicChunkReachesTheCaller) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for_dynamic(100, 3,
                                         [](int, int64_t b, int64_t) {
                                           if (b >= 50) throw std::runtime_error("chunk failed");
                                         }),
               std::runtime_error);
  expect_each_index_once(pool, 100, 3);  // still usable
}

TEST(ThreadPool, JobsAfterTheWorkersWentToSleep) {
  ThreadPool pool(3);
  for (int job = 0; job < 5; ++job) {
    std::this_thread::sleep_for(std::chrono::microseconds(3 * ThreadPool::kSpinMicros));
    expect_each_index_once(pool, 100);
  }
}

TEST(ThreadPool, EveryThreadTakesPart) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> by_thread(4);
  pool.parallel_for(4, [&](int tid, int64_t, int64_t) { by_thread[static_cast<size_t>(tid)]++; });
  for (auto& n : by_thread) EXPECT_EQ(n.load(), 1);
}

TEST(ThreadPool, AnExceptionInAWorkerReachesTheCaller) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(10,
                                 [](int tid, int64_t, int64_t) {
                                   if (tid == 1) throw std::runtime_error("worker failed");
                                 }),
               std::runtime_error);
  expect_each_index_once(pool, 10);  // still usable
}

TEST(ThreadPool, RejectsBadThreadCounts) {
  EXPECT_ANY_THROW(ThreadPool(0));
  EXPECT_ANY_THROW(ThreadPool(513));
}

}  // namespace
}  // namespace pocket
