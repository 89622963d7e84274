// Which file (and where in it) a pointer into a file mapping reads, from /proc/self/maps. The
// weight streamer uses it to read a mapped tensor's bytes with pread() into its own buffer
// instead of faulting the mapping in: the loaders need not pass file offsets around.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pocket {

struct FileRegion {
  std::string path;
  uint64_t offset = 0;     // of the pointer, in the file
  uint64_t available = 0;  // bytes of the mapping from the pointer on
};

// Nothing when p is not inside a mapping of a regular file (or /proc is not readable).
std::optional<FileRegion> find_file_region(const void* p);

}  // namespace pocket
