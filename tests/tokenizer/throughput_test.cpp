// Figures, not assertions (a loaded CI machine must not fail the build): how long the DeepSeek
// tokenizer takes to load and how fast it encodes the evaluation corpus.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "shared_tokenizers.h"
#include "tokenizer/tokenizer_json_loader.h"

namespace pocket::test {
namespace {

struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double cpu_s() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

TEST(Throughput, DeepSeekLoadAndEncode) {
  const std::string path = shared_path("tokenizers/deepseek-r1-distill-qwen/tokenizer.json");
  Stopwatch load;
  TokenizerSpec spec = load_hf_tokenizer_json(path);
  const double parse_ms = load.wall_s() * 1e3;
  const Tokenizer tok(std::move(spec));
  std::printf("[ figures  ] load tokenizer.json: %.0f ms wall, %.0f ms cpu (parse %.0f ms)\n",
              load.wall_s() * 1e3, load.cpu_s() * 1e3, parse_ms);

  const std::string text = read_text_file(shared_path("corpus/brown-eval.txt"));
  ASSERT_GT(text.size(), 100000u);
  const double mb = static_cast<double>(text.size()) / 1e6;
  // Line by line, as prompts arrive, with an empty word cache; then the whole file, twice.
  Stopwatch lines;
  size_t n_tokens = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    n_tokens += tok.encode(std::string_view(text).substr(pos, end - pos), false).size();
    pos = end;
  }
  const double lines_s = lines.wall_s();
  Stopwatch whole;
  const auto ids = tok.encode(text, false);
  const double whole_s = whole.wall_s();
  std::printf(
      "[ figures  ] encode brown-eval.txt (%.2f MB): %.1f MB/s by line, cold cache "
      "(%zu tokens); %.1f MB/s whole file, warm cache (%zu tokens)\n",
      mb, mb / lines_s, n_tokens, mb / whole_s, ids.size());
  EXPECT_EQ(tok.decode(ids), text);  // plain English: NFC changes nothing
}

}  // namespace
}  // namespace pocket::test
