#include "core/anon_pages.h"

#include <sys/mman.h>

#include "core/error.h"
#include "core/huge_map.h"

namespace pocket {

std::shared_ptr<void> allocate_pages(size_t n) {
  POCKET_CHECK(n > 0, ErrorCode::kInvalidArgument, "allocate_pages of 0 bytes");
  void* p = map_huge_aligned(n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  POCKET_CHECK(p != MAP_FAILED, ErrorCode::kOutOfRange, "cannot map ", n,
               " bytes of memory (out of memory?)");
  return std::shared_ptr<void>(p, [n](void* q) { ::munmap(q, n); });
}

}  // namespace pocket
