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

uint64_t pack_share(int64_t front, int64_t back) {
  return (static_cast<uint64_t>(front) << 32) | static_cast<uint64_t>(back);
}
int64_t share_front(uint64_t bounds) {
  return static_cast<int64_t>(bounds >> 32);
}
int64_t share_back(uint64_t bounds) {
  return static_cast<int64_t>(bounds & 0xFFFFFFFFu);
}

}  // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(n_threads), shares_(static_cast<size_t>(std::max(n_threads, 1))) {
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
    stopping_.store(true, std::memory_order_relaxed);  // the other threads stop taking chunks
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

bool ThreadPool::claim_front(int owner, int64_t& begin, int64_t& end) {
  std::atomic<uint64_t>& share = shares_[static_cast<size_t>(owner)].bounds;
  uint64_t b = share.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t front = share_front(b), back = share_back(b);
    if (front >= back) return false;
    const int64_t take = std::min(back - front, std::max(job_min_chunk_, (back - front) / 4));
    if (share.compare_exchange_weak(b, pack_share(front + take, back), std::memory_order_relaxed)) {
      begin = front;
      end = front + take;
      return true;
    }
  }
}

bool ThreadPool::claim_back(int owner, int64_t& begin, int64_t& end) {
  std::atomic<uint64_t>& share = shares_[static_cast<size_t>(owner)].bounds;
  uint64_t b = share.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t front = share_front(b), back = share_back(b);
    if (back - front < 2 * job_min_chunk_) return false;  // job_min_chunk_ >= 1 here
    const int64_t take = std::max(job_min_chunk_, (back - front) / 2);
    if (share.compare_exchange_weak(b, pack_share(front, back - take), std::memory_order_relaxed)) {
      begin = back - take;
      end = back;
      return true;
    }
  }
}

void ThreadPool::run_chunks(int index) {
  int64_t begin = 0, end = 0;
  while (!stopping_.load(std::memory_order_relaxed) && claim_front(index, begin, end)) {
    run_guarded(index, begin, end);
  }
  // Own share done: help the share with the most left until none has enough to split.
  while (!stopping_.load(std::memory_order_relaxed)) {
    int victim = -1;
    int64_t most = 0;
    for (int t = 0; t < n_threads_; ++t) {
      const uint64_t b = shares_[static_cast<size_t>(t)].bounds.load(std::memory_order_relaxed);
      if (share_back(b) - share_front(b) > most) {
        most = share_back(b) - share_front(b);
        victim = t;
      }
    }
    if (victim < 0 || most < 2 * job_min_chunk_) return;
    if (claim_back(victim, begin, end)) run_guarded(index, begin, end);
  }
}

void ThreadPool::parallel_for(int64_t n, RangeFn fn) {
  dispatch(n, 0, fn);
}

void ThreadPool::parallel_for_dynamic(int64_t n, int64_t min_chunk, RangeFn fn) {
  POCKET_CHECK(n < (int64_t{1} << 32), ErrorCode::kInvalidArgument, "parallel_for_dynamic over ", n,
               " indices: at most 2^32 - 1");
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
  stopping_.store(false, std::memory_order_relaxed);
  if (min_chunk > 0) {
    for (int t = 0; t < n_threads_; ++t) {
      shares_[static_cast<size_t>(t)].bounds.store(
          pack_share(n * t / n_threads_, n * (t + 1) / n_threads_), std::memory_order_relaxed);
    }
  }
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
