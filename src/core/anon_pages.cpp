#include "core/anon_pages.h"

#include <sys/mman.h>

#include <cstdint>

#include "core/error.h"

namespace pocket {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

}  // namespace

std::shared_ptr<void> allocate_pages(size_t n) {
  POCKET_CHECK(n > 0, ErrorCode::kInvalidArgument, "allocate_pages of 0 bytes");
  // Over-allocate by one huge page so the start can be aligned to one (THP needs 2 MB-aligned
  // ranges); the unused head and tail are unmapped.
  const size_t mapped = n + kHugePage;
  void* raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  POCKET_CHECK(raw != MAP_FAILED, ErrorCode::kOutOfRange, "cannot map ", n,
               " bytes of memory (out of memory?)");
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t start = (base + kHugePage - 1) / kHugePage * kHugePage;
  const uintptr_t page = 4096;
  const uintptr_t end = (start + n + page - 1) / page * page;
  if (start > base) ::munmap(raw, start - base);
  if (base + mapped > end) ::munmap(reinterpret_cast<void*>(end), base + mapped - end);
  void* p = reinterpret_cast<void*>(start);
  const size_t length = end - start;
#ifdef MADV_HUGEPAGE
  ::madvise(p, length, MADV_HUGEPAGE);  // a hint: without THP the buffer works in 4 KB pages
#endif
  return std::shared_ptr<void>(p, [length](void* q) { ::munmap(q, length); });
}

}  // namespace pocket
