// tokenizer.json (+ tokenizer_config.json) from fuzz bytes. The loader reads a path (and looks
// for tokenizer_config.json next to it), so the bytes go to files in a folder of this process:
// the part before the first NUL byte is tokenizer.json, the part after it (if any) is
// tokenizer_config.json. JSON text has no raw NUL, so a seed without one is a plain tokenizer.json.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support.h"
#include "tokenizer/tokenizer_json_loader.h"

namespace pocket::fuzz {
namespace {

namespace fs = std::filesystem;

// A folder per process (several fuzzers, or -jobs, run at once), removed at exit. The path is
// never destroyed: the exit handler may run after the destructors of function-local statics.
const fs::path& work_dir() {
  static const fs::path* dir = [] {
    auto* d =
        new fs::path(fs::temp_directory_path() / cat("pocket-fuzz-tokenizer-json-", ::getpid()));
    fs::create_directories(*d);
    return d;
  }();
  static const bool cleanup_registered = [] {
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(*dir, ignored);
    });
    return true;
  }();
  (void)cleanup_registered;
  return *dir;
}

void write(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  expect(out.good(), "cannot write ", path.string());
}

}  // namespace

void tokenizer_json_input(Input data) {
  const fs::path json = work_dir() / "tokenizer.json";
  const fs::path config = work_dir() / "tokenizer_config.json";
  const auto nul = std::find(data.begin(), data.end(), uint8_t{0});
  write(json, std::span(data.begin(), nul));
  if (nul == data.end()) {
    fs::remove(config);
  } else {
    write(config, std::span(nul + 1, data.end()));
  }
  guarded([&] {
    const Tokenizer tok(load_hf_tokenizer_json(json.string()));
    exercise_tokenizer(tok);
    // The file's own bytes as text: full of the pieces its vocabulary and regexes mention.
    const std::string_view text(reinterpret_cast<const char*>(data.data()),
                                std::min<size_t>(data.size(), 256));
    tok.decode(tok.encode(text, true));
  });
}

}  // namespace pocket::fuzz
