// Where the shared test data (../shared) lives: $POCKET_SHARED, else the configured default.
#pragma once

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pocket::test {

inline std::string shared_dir() {
  if (const char* env = std::getenv("POCKET_SHARED"); env && *env) return env;
  return POCKET_SHARED_DIR_DEFAULT;
}

inline std::string shared_path(const std::string& rel) { return shared_dir() + "/" + rel; }

// Small hand-made fixtures committed with the tests (bad files and the like).
inline std::string test_data_path(const std::string& rel) {
  return std::string(POCKET_TEST_DATA_DIR) + "/" + rel;
}

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<float> read_f32_file(const std::string& path) {
  std::string bytes = read_text_file(path);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

}  // namespace pocket::test
