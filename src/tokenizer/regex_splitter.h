// The pre-tokenizer: cuts text into words with a regex (PCRE2, UTF + Unicode properties, JIT),
// keeping both the matches and the gaps between them as pieces, in order (Hugging Face's Split
// pre-tokenizer with behavior "Isolated"). Several regexes apply one after the other.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pocket {

class RegexSplitter {
 public:
  // Throws Error(kFormat) naming `what` (file and field) when the pattern does not compile.
  RegexSplitter(const std::string& pattern, const std::string& what);
  ~RegexSplitter();
  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;

  // Appends the pieces of `text` (valid UTF-8) to out; together they are exactly `text`.
  void split(std::string_view text, std::vector<std::string_view>* out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PreTokenizer {
 public:
  PreTokenizer() = default;
  PreTokenizer(const std::vector<std::string>& patterns, const std::string& what);

  // Splits with every regex in turn; with none, the text is one piece.
  void split(std::string_view text, std::vector<std::string_view>* out) const;

 private:
  std::vector<RegexSplitter> splitters_;
};

}  // namespace pocket
