#include "core/page_advice.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace pocket {
namespace {

uintptr_t page_size() {
  static const auto size = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// The pages that cover [p, p + n).
struct PageRange {
  void* start;
  size_t length;
};
PageRange pages_covering(const void* p, size_t n) {
  const uintptr_t mask = page_size() - 1;
  const auto a = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = a & ~mask;
  const uintptr_t end = (a + n + mask) & ~mask;
  return {reinterpret_cast<void*>(begin), end - begin};
}

uint64_t status_kib(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  uint64_t kib = 0;
  const size_t key_len = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
      unsigned long long v = 0;
      if (std::sscanf(line + key_len + 1, "%llu", &v) == 1) kib = v;
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

}  // namespace

bool populate_pages(const void* p, size_t n) {
  if (n == 0) return true;
  const PageRange r = pages_covering(p, n);
#ifdef MADV_POPULATE_READ
  if (::madvise(r.start, r.length, MADV_POPULATE_READ) == 0) return true;
#endif
  // Older kernels (before 5.14): read one byte per page, inside [p, p + n) only (the pages'
  // bytes outside it need not belong to the caller).
  const auto* bytes = static_cast<const volatile uint8_t*>(p);
  uint8_t sink = 0;
  const size_t page = page_size();
  const size_t first = (page - reinterpret_cast<uintptr_t>(p) % page) % page;
  if (first > 0) sink ^= bytes[0];
  for (size_t off = first; off < n; off += page) sink ^= bytes[off];
  (void)sink;
  return true;
}

bool release_pages(const void* p, size_t n) {
  const auto begin = reinterpret_cast<uintptr_t>(p);
  const uintptr_t page = page_size();
  const uintptr_t first = (begin + page - 1) / page * page, last = (begin + n) / page * page;
  if (last <= first) return true;
  return ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) == 0;
}

bool drop_file_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return ok;
}

double file_cached_fraction(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) {
    ::close(fd);
    return -1;
  }
  void* map = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return -1;
  const size_t n_pages = (static_cast<size_t>(size) + page_size() - 1) / page_size();
  std::vector<unsigned char> in_core(n_pages);
  double fraction = -1;
  if (::mincore(map, static_cast<size_t>(size), in_core.data()) == 0) {
    size_t cached = 0;
    for (unsigned char c : in_core) cached += c & 1;
    fraction = static_cast<double>(cached) / static_cast<double>(n_pages);
  }
  ::munmap(map, static_cast<size_t>(size));
  return fraction;
}

uint64_t resident_bytes() {
  return status_kib("VmRSS");
}
uint64_t peak_resident_bytes() {
  return status_kib("VmHWM");
}

bool reset_peak_resident() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  const bool ok = std::fputs("5", f) >= 0;  // 5: reset the peak resident set size
  return std::fclose(f) == 0 && ok;
}

}  // namespace pocket
