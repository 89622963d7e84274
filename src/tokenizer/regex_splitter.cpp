#include "tokenizer/regex_splitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"
#include "tokenizer/utf8.h"

namespace pocket {

namespace {

// Unicode White_Space, which is what \s means in Oniguruma (Hugging Face's regex engine). PCRE2's
// \s also matches U+180E, which stopped being a space in Unicode 6.3.
constexpr std::string_view kWhiteSpace =
    R"(\x{9}-\x{D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

// Rewrites \s and \S as explicit White_Space classes (\S inside a class is left alone).
std::string with_unicode_whitespace(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      if (e == 's') {
        if (in_class) {
          out.append(kWhiteSpace);
        } else {
          out.append("[").append(kWhiteSpace).append("]");
        }
      } else if (e == 'S' && !in_class) {
        out.append("[^").append(kWhiteSpace).append("]");
      } else {
        out.push_back(c);
        out.push_back(e);
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};

}  // namespace

struct RegexSplitter::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

RegexSplitter::RegexSplitter(const std::string& pattern, const std::string& what)
    : impl_(std::make_unique<Impl>()) {
  int err = 0;
  PCRE2_SIZE err_offset = 0;  // of the rewritten pattern: not worth reporting
  // UCP makes \w, \d, \b and [[:classes:]] Unicode-aware, as in Oniguruma (Hugging Face).
  const std::string rewritten = with_unicode_whitespace(pattern);
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rewritten.data()), rewritten.size(),
                              PCRE2_UTF | PCRE2_UCP, &err, &err_offset, nullptr);
  if (impl_->code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    fail(ErrorCode::kFormat, what, ": regex ", pattern,
         " does not compile: ", reinterpret_cast<const char*>(msg));
  }
  // JIT is a speed-up only: when unavailable (some platforms) the interpreter runs instead.
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);
}

RegexSplitter::~RegexSplitter() = default;
RegexSplitter::RegexSplitter(RegexSplitter&&) noexcept = default;
RegexSplitter& RegexSplitter::operator=(RegexSplitter&&) noexcept = default;

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>* out) const {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr));
  if (!md) fail(ErrorCode::kInternal, "pcre2: out of memory");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const size_t n = text.size();
  size_t gap_start = 0;  // start of the text not yet emitted
  size_t pos = 0;
  while (pos < n) {
    int rc = pcre2_match(impl_->code, subject, n, pos, PCRE2_NO_UTF_CHECK, md.get(), nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {  // retry in the interpreter, which uses the heap
      rc = pcre2_match(impl_->code, subject, n, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md.get(),
                       nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    if (rc < 0 || ov[1] <= ov[0]) {
      // A resource limit, or an empty match: step over one character, which stays in the gap.
      const size_t at = rc < 0 ? pos : ov[0];
      if (at >= n) break;
      const size_t len = utf8_char_len(text, at);
      pos = at + (len == 0 ? 1 : len);
      continue;
    }
    if (ov[0] > gap_start) out->push_back(text.substr(gap_start, ov[0] - gap_start));
    out->push_back(text.substr(ov[0], ov[1] - ov[0]));
    gap_start = pos = ov[1];
  }
  if (gap_start < n) out->push_back(text.substr(gap_start));
}

PreTokenizer::PreTokenizer(const std::vector<std::string>& patterns, const std::string& what) {
  splitters_.reserve(patterns.size());
  for (const std::string& p : patterns) splitters_.emplace_back(p, what);
}

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>* out) const {
  if (splitters_.empty()) {
    if (!text.empty()) out->push_back(text);
    return;
  }
  const size_t first = out->size();
  splitters_[0].split(text, out);
  for (size_t k = 1; k < splitters_.size(); ++k) {
    std::vector<std::string_view> pieces(out->begin() + static_cast<ptrdiff_t>(first), out->end());
    out->resize(first);
    for (std::string_view p : pieces) splitters_[k].split(p, out);
  }
}

}  // namespace pocket
