// Anonymous memory for large long-lived buffers (load-time repacked weights): mapped directly and
// backed by transparent huge pages where the kernel allows it (MADV_HUGEPAGE). Why not malloc: a
// buffer of hundreds of MB then faults in 4 KB at a time, which on a virtual machine cost more
// than filling it (a 1.5B model's repack took 4.3 s instead of 2.9 s), and a kernel that streams
// the buffer every token takes a TLB miss per 4 KB instead of per 2 MB. Pages are not populated
// here: the threads that fill the buffer fault their own parts in, in parallel.
#pragma once

#include <cstddef>
#include <memory>

namespace pocket {

// n bytes (n > 0), zero-filled on first touch, 2 MB-aligned when large, released when the last
// owner goes. Throws Error(kOutOfRange) when the system refuses the memory.
std::shared_ptr<void> allocate_pages(size_t n);

}  // namespace pocket
