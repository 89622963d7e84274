// The pool hands every index to exactly one thread, survives back-to-back jobs (spinning
// workers) and jobs after a pause (sleeping workers), and carries exceptions back to the caller.
#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pocket {
namespace {

void expect_each_index_once(ThreadPool& pool, int64_t n) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  pool.parallel_for(n, [&](int, int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
  });
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "index " << i;
}

TEST(ThreadPool, BackToBackJobsCoverEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int job = 0; job < 2000; ++job) expect_each_index_once(pool, 1 + job % 37);
  }
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
