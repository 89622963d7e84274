#include "core/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace pocket {
namespace {

// Tells the core this is a spin loop (saves power, frees the sibling hyperthread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads) {
  POCKET_CHECK(n_threads >= 1 && n_threads <= 512, ErrorCode::kInvalidArgument,
               "thread count must be between 1 and 512, got ", n_threads);
  workers_.reserve(static_cast<size_t>(n_threads - 1));
  for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  { std::lock_guard lock(mu_); }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

int ThreadPool::default_threads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

void ThreadPool::run_guarded(int index, int64_t begin, int64_t end) {
  try {
    (*job_)(index, begin, end);
  } catch (...) {
    std::lock_guard lock(error_mu_);
    if (!error_) error_ = std::current_exception();
    next_chunk_.store(job_n_, std::memory_order_relaxed);  // the other threads stop taking chunks
  }
}

void ThreadPool::run_range(int index) {
  if (job_min_chunk_ > 0) {
    run_chunks(index);
    return;
  }
  const int64_t chunk = (job_n_ + n_threads_ - 1) / n_threads_;
  const int64_t begin = std::min<int64_t>(job_n_, chunk * index);
  const int64_t end = std::min<int64_t>(job_n_, begin + chunk);
  if (begin < end) run_guarded(index, begin, end);
}

void ThreadPool::run_chunks(int index) {
  const int64_t shrink = 2 * static_cast<int64_t>(n_threads_);
  int64_t begin = next_chunk_.load(std::memory_order_relaxed);
  for (;;) {
    if (begin >= job_n_) return;
    const int64_t size = std::max(job_min_chunk_, (job_n_ - begin) / shrink);
    const int64_t end = std::min(job_n_, begin + size);
    if (!next_chunk_.compare_exchange_weak(begin, end, std::memory_order_relaxed)) continue;
    run_guarded(index, begin, end);
    begin = next_chunk_.load(std::memory_order_relaxed);
  }
}

void ThreadPool::parallel_for(int64_t n, RangeFn fn) {
  dispatch(n, 0, fn);
}

void ThreadPool::parallel_for_dynamic(int64_t n, int64_t min_chunk, RangeFn fn) {
  dispatch(n, std::max<int64_t>(1, min_chunk), fn);
}

void ThreadPool::dispatch(int64_t n, int64_t min_chunk, const RangeFn& fn) {
  if (n <= 0) return;
  if (n_threads_ == 1 || n == 1 || min_chunk >= n) {
    fn(0, 0, n);
    return;
  }
  job_ = &fn;
  job_n_ = n;
  job_min_chunk_ = min_chunk;
  next_chunk_.store(0, std::memory_order_relaxed);
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1);  // seq_cst: publishes the job, ordered before the sleepers_ check
  if (sleepers_.load() > 0) {
    std::lock_guard lock(mu_);  // a worker between its check and its wait holds mu_
    wake_.notify_all();
  }
  run_range(0);
  // The workers are awake (or waking): their ranges take about as long as ours, so spin.
  // With more threads than free cores a worker may be descheduled: then give the core away.
  for (int i = 0; pending_.load(std::memory_order_acquire) != 0; ++i) {
    if (i < 4096) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  job_ = nullptr;
  if (error_) {
    std::lock_guard lock(error_mu_);
    std::rethrow_exception(std::exchange(error_, nullptr));
  }
}

uint64_t ThreadPool::wait_for_job(uint64_t seen) {
  using Clock = std::chrono::steady_clock;
  const auto spin_until = Clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int i = 0;; ++i) {
    const uint64_t g = generation_.load(std::memory_order_acquire);
    if (g != seen || stop_.load(std::memory_order_relaxed)) return g;
    cpu_relax();
    if ((i & 63) == 63 && Clock::now() > spin_until) break;
  }
  std::unique_lock lock(mu_);
  sleepers_.fetch_add(1);  // seq_cst: ordered before the generation_ check of the predicate
  wake_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
  sleepers_.fetch_sub(1);
  return generation_.load(std::memory_order_acquire);
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    seen = wait_for_job(seen);
    if (stop_.load()) return;
    run_range(index);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace pocket
