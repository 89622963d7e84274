// find_file_region: a pointer into a file mapping gives back the file and the offset.
#include "core/file_region.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/mapped_file.h"

namespace pocket {
namespace {

TEST(FileRegion, FindsTheFileAndOffsetOfAMappedPointer) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pocket_file_region_" + std::to_string(::getpid()) + ".bin");
  {
    std::ofstream out(path, std::ios::binary);
    std::vector<char> bytes(3 * 4096 + 100);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  {
    const MappedFile file(path.string());
    for (uint64_t off : {uint64_t{0}, uint64_t{1}, uint64_t{4096}, uint64_t{3 * 4096 + 99}}) {
      const auto r = find_file_region(file.data() + off);
      ASSERT_TRUE(r.has_value()) << off;
      EXPECT_EQ(std::filesystem::canonical(r->path), std::filesystem::canonical(path));
      EXPECT_EQ(r->offset, off);
      EXPECT_GE(r->available, file.size() - off);
    }
  }
  std::filesystem::remove(path);
  // Heap and stack memory are not file regions.
  std::vector<int> heap(1000);
  int stack = 0;
  EXPECT_FALSE(find_file_region(heap.data()).has_value());
  EXPECT_FALSE(find_file_region(&stack).has_value());
}

}  // namespace
}  // namespace pocket
