// Mappings that may get transparent huge pages start on a 2 MB boundary (the kernel only backs
// aligned 2 MB ranges with one), and the placement does not change what is read or written.
#include "core/huge_map.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/anon_pages.h"
#include "core/mapped_file.h"

namespace pocket {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

bool huge_aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % kHugePage == 0;
}

TEST(HugeMap, AnonymousPagesAreAlignedAndWritable) {
  for (size_t n : {size_t{2}, size_t{4096}, size_t{3} << 20, (size_t{2} << 20) + 1}) {
    const std::shared_ptr<void> p = allocate_pages(n);
    ASSERT_TRUE(huge_aligned(p.get())) << n;
    auto* bytes = static_cast<uint8_t*>(p.get());
    EXPECT_EQ(bytes[0], 0);
    EXPECT_EQ(bytes[n - 1], 0);
    bytes[0] = 1;
    bytes[n - 1] = 2;
    EXPECT_EQ(bytes[0] + bytes[n - 1], 3);
  }
}

TEST(HugeMap, FileMappingsAreAlignedAndReadTheFile) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("pocket_huge_map_" + std::to_string(getpid())))
          .string();
  for (size_t n : {size_t{1}, size_t{5000}, (size_t{2} << 20) + 7}) {
    std::vector<char> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i * 7 + 3);
    std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(n));
    const MappedFile file(path);
    ASSERT_EQ(file.size(), n);
    EXPECT_TRUE(huge_aligned(file.data())) << n;
    EXPECT_EQ(std::memcmp(file.data(), data.data(), n), 0) << n;
  }
  std::filesystem::remove(path);
}

TEST(HugeMap, ReportsAFailedMapping) {
  // A write mapping of a file opened read-only is refused: the error comes back, nothing leaks.
  const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(map_huge_aligned(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd), MAP_FAILED);
  ::close(fd);
}

}  // namespace
}  // namespace pocket
