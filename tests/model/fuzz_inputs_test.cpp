// Replays the fuzz seed corpora (fuzz/corpus/<target>/) and the inputs that once crashed a fuzzer
// (fuzz/regressions/<target>/) through the fuzzers' own entry points, so that the regular build
// keeps checking them without libFuzzer. The entries swallow pocket::Error; anything that
// reaches this test (another exception, a broken round-trip property) is a bug, and a crash or a
// sanitizer report ends the test binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "entries/entries.h"

namespace pocket {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(POCKET_TEST_DATA_DIR) / ".." / ".." / "fuzz";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzInputs : public ::testing::TestWithParam<fuzz::Target> {};

TEST_P(FuzzInputs, GiveOnlyPocketErrors) {
  const fuzz::Target& target = GetParam();
  std::vector<fs::path> files = files_in(kFuzzDir / "regressions" / target.name);
  const std::vector<fs::path> corpus = files_in(kFuzzDir / "corpus" / target.name);
  files.insert(files.end(), corpus.begin(), corpus.end());
  EXPECT_FALSE(corpus.empty()) << "no seeds in " << (kFuzzDir / "corpus" / target.name);
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
    try {
      target.run(bytes);
    } catch (const std::exception& e) {
      ADD_FAILURE() << file.string() << ": " << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzInputs,
                         ::testing::ValuesIn(fuzz::targets().begin(), fuzz::targets().end()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace pocket
