#include "support.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "kernels/ref/dequant.h"
#include "tokenizer/utf8.h"

#ifndef POCKET_FUZZ_SHARED_DIR
#define POCKET_FUZZ_SHARED_DIR "../shared"
#endif

namespace pocket::fuzz {

namespace {

// Per tensor: enough to cover every block layout, little enough for thousands of runs a second.
constexpr int64_t kMaxValues = 1 << 14;

constexpr std::array kTargets = {
    Target{"gguf", gguf_input},           Target{"safetensors", safetensors_input},
    Target{"tokenizer", tokenizer_input}, Target{"tokenizer_json", tokenizer_json_input},
    Target{"hf_config", hf_config_input},
};

}  // namespace

std::span<const Target> targets() {
  return kTargets;
}

std::string shared_dir() {
  if (const char* env = std::getenv("POCKET_SHARED"); env && *env) return env;
  return POCKET_FUZZ_SHARED_DIR;
}

std::ostream& operator<<(std::ostream& out, Escaped e) {
  for (unsigned char c : e.bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out << static_cast<char>(c);
    } else {
      out << "\\x"
          << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    }
  }
  return out;
}

void dequantize_first_rows(const TensorView& t) {
  const std::optional<DTypeInfo> info = dtype_info(static_cast<uint32_t>(t.type));
  expect(info.has_value(), "tensor '", t.name, "' has an unknown type id");
  for (int64_t d : t.ne) {
    if (d <= 0) return;  // nothing to read (safetensors allows empty dims)
  }
  // The parser accepted the shape, so its rows must be whole blocks that fit the tensor.
  uint64_t row_nbytes = 0;
  try {
    row_nbytes = t.row_nbytes();
  } catch (const Error& e) {
    throw PropertyFailure(cat("tensor '", t.name, "' was accepted with bad rows: ", e.what()));
  }
  expect(row_nbytes <= t.nbytes, "tensor '", t.name, "': a row of ", row_nbytes,
         " bytes exceeds its ", t.nbytes);
  if (!info->dequantizable || t.ne[0] > kMaxValues) return;
  // Rows to read, saturated so that a product that would overflow stays small.
  int64_t rows = 1;
  for (size_t i = 1; i < t.ne.size(); ++i) {
    rows = std::min(rows * std::min(t.ne[i], kMaxValues), kMaxValues);
  }
  rows = std::min(rows, kMaxValues / t.ne[0]);
  expect(static_cast<uint64_t>(rows) * row_nbytes <= t.nbytes, "tensor '", t.name, "': ", rows,
         " rows of ", row_nbytes, " bytes exceed its ", t.nbytes, " bytes");
  std::vector<float> out(static_cast<size_t>(t.ne[0]));
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t.type, t.row(r), out.data(), t.ne[0]);
}

void exercise_tokenizer(const Tokenizer& tok) {
  static constexpr std::array<std::string_view, 4> kTexts = {
      "Hello world", " Once upon a time, 42 cats\n\n", "h\xC3\xA9llo \xE2\x96\x81 e\xCC\x81",
      "<s>\xF0\x9F\x98\x80</s>\xFF"};
  for (std::string_view text : kTexts) {
    const std::vector<int32_t> ids = tok.encode(text, /*add_bos=*/true);
    for (int32_t id : ids) {
      expect(id >= 0 && id < tok.n_vocab(), "encode produced id ", id);
    }
    expect(is_valid_utf8(tok.decode(ids)), "decode returned ill-formed UTF-8");
    tok.decode(ids, /*skip_special=*/true);
  }
}

}  // namespace pocket::fuzz
