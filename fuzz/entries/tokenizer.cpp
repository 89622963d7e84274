// Encodes arbitrary bytes with the two real tokenizers of the project and checks what decoding
// promises (tokenizer.h, stream_decoder.h):
//  - every id is in the vocabulary and decode() returns valid UTF-8;
//  - StreamDecoder's pieces concatenate to decode() of the same ids;
//  - byte-level BPE: the pieces' raw bytes spell x with its well-formed runs NFC-normalized and
//    its ill-formed bytes kept (unless an added token was matched);
//  - for valid UTF-8 x, the round trip gives back the text the tokenizer saw:
//      SentencePiece (stories260K: no normalizer, byte fallback): decode(encode(x)) == x with
//      each U+2581 as ' ' (SentencePiece writes spaces as U+2581, so one in the text is a space
//      once encoded, as in sentencepiece and llama.cpp);
//      byte-level BPE with NFC (DeepSeek-R1): added tokens are cut out of the raw text first and
//      only the text between them is normalized, so decode(encode(x)) == NFC(x) exactly when no
//      added token was matched, and otherwise NFC(decode(encode(x))) == NFC(x) (equal up to
//      canonical equivalence: NFC(a + NFC(b)) == NFC(a + b));
//  - decode() of arbitrary ids (the input read as int32s, out-of-range ones included) is fine.
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "io/gguf.h"
#include "support.h"
#include "tokenizer/gguf_tokenizer_loader.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer_json_loader.h"
#include "tokenizer/utf8.h"

namespace pocket::fuzz {
namespace {

struct Tokenizers {
  std::unique_ptr<Tokenizer> deepseek;  // byte-level BPE, NFC
  std::unique_ptr<Tokenizer> stories;   // SentencePiece BPE
};

// Loaded once per process: the DeepSeek vocabulary takes a while.
const Tokenizers& tokenizers() {
  static const Tokenizers t = [] {
    const std::string dir = shared_dir();
    Tokenizers out;
    out.deepseek = std::make_unique<Tokenizer>(
        load_hf_tokenizer_json(dir + "/tokenizers/deepseek-r1-distill-qwen/tokenizer.json"));
    out.stories = std::make_unique<Tokenizer>(
        load_gguf_tokenizer(GgufFile::open(dir + "/models/stories260K.gguf")));
    return out;
  }();
  return t;
}

// NFC of the whole text in one utf8proc call: the reference for the tokenizer's chunked NFC.
std::string reference_nfc(std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  expect(n >= 0, "utf8proc rejected text that is valid UTF-8");
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

// x with each maximal run of well-formed UTF-8 NFC-normalized and the ill-formed bytes kept as
// they are: what the byte-level tokenizer's pieces must spell (see tokenizer.h). A run ends at the
// first byte that does not start a character; no character starts inside an ill-formed sequence,
// so stepping over one byte at a time finds the same runs as the maximal-subpart rule.
std::string nfc_runs(std::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  std::string out;
  size_t run = 0;
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n > 0) {
      i += static_cast<size_t>(n);
      continue;
    }
    out += reference_nfc(text.substr(run, i - run));
    out.push_back(text[i]);
    run = ++i;
  }
  return out + reference_nfc(text.substr(run));
}

std::string spm_spaces(std::string_view text) {
  constexpr std::string_view kSpmSpace = "\xE2\x96\x81";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, kSpmSpace.size()) == kSpmSpace) {
      out.push_back(' ');
      i += kSpmSpace.size() - 1;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool is_added(const Tokenizer& tok, int32_t id) {
  const std::vector<AddedToken>& added = tok.spec().added_tokens;
  return std::any_of(added.begin(), added.end(), [id](const AddedToken& a) { return a.id == id; });
}

void check_decoders(const Tokenizer& tok, std::span<const int32_t> ids, bool skip_special) {
  const std::string whole = tok.decode(ids, skip_special);
  expect(is_valid_utf8(whole), "decode returned ill-formed UTF-8: ", Escaped{whole});
  StreamDecoder stream(tok, skip_special);
  std::string streamed;
  for (int32_t id : ids) streamed += stream.push(id);
  streamed += stream.flush();
  expect(streamed == whole, "StreamDecoder gave '", Escaped{streamed}, "', decode '",
         Escaped{whole}, "'");
}

// nfc: the byte-level tokenizer with NFC (DeepSeek); else SentencePiece (stories260K).
void check_text(const Tokenizer& tok, std::string_view text, bool nfc) {
  const bool valid = is_valid_utf8(text);
  for (const bool parse_special : {false, true}) {
    const std::vector<int32_t> ids = tok.encode(text, /*add_bos=*/false, parse_special);
    bool verbatim = false;  // an added (or control) token was matched
    for (int32_t id : ids) {
      expect(id >= 0 && id < tok.n_vocab(), "encode produced id ", id);
      verbatim = verbatim || is_added(tok, id);
    }
    check_decoders(tok, ids, /*skip_special=*/false);
    check_decoders(tok, ids, /*skip_special=*/true);
    if (nfc && !verbatim) {
      std::string raw;
      for (int32_t id : ids) raw += tok.token_piece_bytes(id);
      const std::string want = nfc_runs(text);
      expect(raw == want, "the pieces spell '", Escaped{raw}, "', expected '", Escaped{want}, "'");
    }
    if (!valid) continue;
    const std::string back = tok.decode(ids);
    const std::string want = nfc ? reference_nfc(text) : spm_spaces(text);
    if (nfc && verbatim) {
      const std::string back_nfc = reference_nfc(back);
      expect(back_nfc == want, "NFC(decode(encode(x))) is '", Escaped{back_nfc}, "', NFC(x) is '",
             Escaped{want}, "'");
    } else {
      expect(back == want, "decode(encode(x)) is '", Escaped{back}, "', expected '", Escaped{want},
             "'");
    }
  }
}

}  // namespace

void tokenizer_input(Input data) {
  const Tokenizers& t = tokenizers();
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  check_text(*t.deepseek, text, /*nfc=*/true);
  check_text(*t.stories, text, /*nfc=*/false);
  std::vector<int32_t> ids(data.size() / sizeof(int32_t));
  if (!ids.empty()) std::memcpy(ids.data(), data.data(), ids.size() * sizeof(int32_t));
  for (const Tokenizer* tok : {t.deepseek.get(), t.stories.get()}) {
    check_decoders(*tok, ids, false);
    check_decoders(*tok, ids, true);
  }
}

}  // namespace pocket::fuzz
