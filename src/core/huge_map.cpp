#include "core/huge_map.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>

namespace pocket {

void* map_huge_aligned(size_t n, int prot, int flags, int fd) {
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  constexpr uintptr_t kPage = 4096;
  // Reserve one huge page more than needed, place the mapping at the first 2 MB boundary inside,
  // and give back the unused head and tail.
  const size_t reserved = n + kHugePage;
  void* raw =
      ::mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return MAP_FAILED;
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t start = (base + kHugePage - 1) / kHugePage * kHugePage;
  void* p = ::mmap(reinterpret_cast<void*>(start), n, prot, flags | MAP_FIXED, fd, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    ::munmap(raw, reserved);
    errno = err;
    return MAP_FAILED;
  }
  const uintptr_t end = (start + n + kPage - 1) / kPage * kPage;
  if (start > base) ::munmap(raw, start - base);
  if (base + reserved > end) ::munmap(reinterpret_cast<void*>(end), base + reserved - end);
#ifdef MADV_HUGEPAGE
  ::madvise(p, n, MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace pocket
