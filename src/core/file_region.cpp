#include "core/file_region.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace pocket {

std::optional<FileRegion> find_file_region(const void* p) {
  std::FILE* maps = std::fopen("/proc/self/maps", "r");
  if (!maps) return std::nullopt;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::optional<FileRegion> found;
  char line[4096 + 256];
  while (std::fgets(line, sizeof line, maps)) {
    // start-end perms offset dev inode path
    uintptr_t start = 0, end = 0;
    uint64_t offset = 0, inode = 0;
    char perms[8], dev[32];
    int path_at = 0;
    if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %" SCNx64 " %31s %" SCNu64 " %n", &start,
                    &end, perms, &offset, dev, &inode, &path_at) < 6) {
      continue;
    }
    if (addr < start || addr >= end) continue;
    if (inode == 0 || path_at == 0 || line[path_at] != '/') break;  // anonymous or special
    std::string path(line + path_at);
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    if (path.ends_with("(deleted)")) break;
    found = FileRegion{path, offset + (addr - start), end - addr};
    break;
  }
  std::fclose(maps);
  return found;
}

}  // namespace pocket
