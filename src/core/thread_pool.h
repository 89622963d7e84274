// One persistent pool of worker threads; work is split into contiguous index ranges.
// The calling thread takes part, so a pool of n threads starts n - 1 workers.
//
// Waking a sleeping thread costs tens of microseconds, and a decode step hands out a few hundred
// small jobs, so between jobs the workers spin (with a pause instruction) for a short while before
// they sleep on a condition variable: back-to-back jobs start at once, an idle engine costs no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/function_ref.h"

namespace pocket {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(thread_index, begin, end) over [0, n) split into one contiguous range per thread;
  // returns when every range is done. The first exception thrown by any range is rethrown here.
  // Not reentrant: fn must not call parallel_for on the same pool.
  using RangeFn = FunctionRef<void(int, int64_t, int64_t)>;
  void parallel_for(int64_t n, RangeFn fn);

  // Like parallel_for, but the threads that finish their part early take over the rest of the
  // others', so fn may be called several times per thread. Each thread starts on its own
  // contiguous share of [0, n) and takes it front to back in chunks (a quarter of what is left,
  // at least min_chunk), so its calls read one ascending stream of memory, as one range would;
  // a thread whose share is done takes half of what is left of the largest other share from its
  // back (at least min_chunk, and only while that share has 2 x min_chunk left). So every chunk
  // is at least min_chunk long except the last of each share. Why not one fixed range per
  // thread: on a shared machine one core can run 30% slower than the other for a while (measured
  // on the CI VM with one gemv pinned to each vCPU), and the fast thread then waits at the
  // barrier. Why not chunks to whichever thread is free from one shared list (as until
  // 2026-12-01): each chunk started a new stream, whose first reads waited for memory with
  // nothing prefetched (docs/ARCHITECTURE.md, step 8). n must be below 2^32.
  void parallel_for_dynamic(int64_t n, int64_t min_chunk, RangeFn fn);

  // Cores this machine offers to this process.
  static int default_threads();

  // How long a worker spins for the next job before it sleeps.
  static constexpr int64_t kSpinMicros = 200;

 private:
  void worker_loop(int index);
  void run_range(int index);
  void run_chunks(int index);
  // Claims [begin, end) of shares_[owner], where end - begin = take(front, back) (0: nothing).
  bool claim_front(int owner, int64_t& begin, int64_t& end);
  bool claim_back(int owner, int64_t& begin, int64_t& end);
  void run_guarded(int index, int64_t begin, int64_t end);
  void dispatch(int64_t n, int64_t min_chunk, const RangeFn& fn);
  // Waits until generation_ moves past `seen` (or stop_): spins, then sleeps.
  uint64_t wait_for_job(uint64_t seen);

  int n_threads_;
  std::vector<std::thread> workers_;
  const RangeFn* job_ = nullptr;
  int64_t job_n_ = 0;
  int64_t job_min_chunk_ = 0;  // 0: one contiguous range per thread
  // parallel_for_dynamic: per thread, the [front, back) of its share not handed out yet, in one
  // word (front in the high half), so that its owner (from the front) and a thread taking over
  // (from the back) claim a chunk with one compare-and-swap.
  struct alignas(64) Share {
    std::atomic<uint64_t> bounds{0};
  };
  std::vector<Share> shares_;
  std::atomic<bool> stopping_{false};  // a chunk threw: claim no more
  // generation_ publishes a job (release) to the workers (acquire); pending_ counts the workers
  // still running it. sleepers_ and generation_ use sequentially consistent operations so that a
  // worker going to sleep and a caller publishing a job cannot miss each other.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::mutex error_mu_;
  std::exception_ptr error_;
};

}  // namespace pocket
