#include "tokenizer/tokenizer.h"

#include <climits>
#include <utility>

#include "core/error.h"
#include "tokenizer/added_token_matcher.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/byte_level_bpe.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/regex_splitter.h"
#include "tokenizer/sentencepiece_bpe.h"
#include "tokenizer/utf8.h"
#include "tokenizer/word_cache.h"

namespace pocket {

namespace {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

enum TokenFlag : uint8_t {
  kVerbatim = 1,   // added / control / user-defined: decodes to its text, never merged
  kSkippable = 2,  // dropped by decode(skip_special)
  kEog = 4,
  kBytePiece = 8,  // SentencePiece <0xXX>
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "<0x41>" -> 0x41, else -1.
int parse_byte_piece(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  const int hi = hex_digit(p[3]);
  const int lo = hex_digit(p[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// SentencePiece pieces write spaces as U+2581.
std::string unescape_spaces(std::string_view piece) {
  std::string out;
  out.reserve(piece.size());
  for (size_t i = 0; i < piece.size();) {
    if (piece.substr(i, kSpmSpace.size()) == kSpmSpace) {
      out.push_back(' ');
      i += kSpmSpace.size();
    } else {
      out.push_back(piece[i++]);
    }
  }
  return out;
}

void check_id(int32_t id, size_t n, const std::string& source, const char* field) {
  if (id < -1 || id >= static_cast<int64_t>(n)) {
    fail(ErrorCode::kFormat, source, ": ", field, " ", id, " is outside the vocabulary of ", n,
         " tokens");
  }
}

}  // namespace

struct Tokenizer::Impl {
  TokenizerSpec spec;
  PieceIndex vocab;  // stored piece -> id
  std::vector<std::string> piece_bytes;
  std::vector<uint8_t> flags;
  AddedTokenMatcher raw_matcher;   // added tokens matched in the raw text
  AddedTokenMatcher norm_matcher;  // ... and those matched after normalization
  PreTokenizer pretokenizer;
  ByteLevelBpeModel byte_level;
  SentencePieceBpeModel sentencepiece;
  mutable WordCache word_cache;  // byte-level words -> ids; locks inside, so encode() stays const

  explicit Impl(TokenizerSpec s);
  void encode_chunk(std::string_view chunk, bool parse_special, BpeScratch* scratch,
                    std::vector<int32_t>* ids) const;
  void encode_normalized(std::string_view text, BpeScratch* scratch,
                         std::vector<int32_t>* ids) const;
  void encode_spm(std::string_view text, BpeScratch* scratch, std::vector<int32_t>* ids) const;
};

Tokenizer::Impl::Impl(TokenizerSpec s) : spec(std::move(s)) {
  const size_t n = spec.tokens.size();
  const std::string& src = spec.source;
  if (n == 0) fail(ErrorCode::kFormat, src, ": the vocabulary is empty");
  if (n > static_cast<size_t>(INT32_MAX)) fail(ErrorCode::kFormat, src, ": vocabulary too large");
  if (!spec.token_types.empty() && spec.token_types.size() != n) {
    fail(ErrorCode::kFormat, src, ": ", spec.token_types.size(), " token types for ", n, " tokens");
  }
  if (!spec.scores.empty() && spec.scores.size() != n) {
    fail(ErrorCode::kFormat, src, ": ", spec.scores.size(), " scores for ", n, " tokens");
  }
  check_id(spec.bos_id, n, src, "bos token id");
  check_id(spec.eos_id, n, src, "eos token id");
  check_id(spec.unk_id, n, src, "unknown token id");
  check_id(spec.pad_id, n, src, "padding token id");
  for (int32_t id : spec.eog_ids) check_id(id, n, src, "end-of-generation token id");
  for (const AddedToken& t : spec.added_tokens) {
    check_id(t.id, n, src, "added token id");
    if (t.id < 0) fail(ErrorCode::kFormat, src, ": added token '", t.content, "' has no id");
  }

  vocab = PieceIndex(spec.tokens);

  // Per-token decode bytes and flags.
  const bool spm = spec.kind == TokenizerKind::kSentencePieceBpe;
  flags.assign(n, 0);
  piece_bytes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& piece = spec.tokens[i];
    const TokenType type = spec.token_types.empty() ? TokenType::kNormal : spec.token_types[i];
    if (type == TokenType::kControl || type == TokenType::kUnknown) {
      flags[i] |= kVerbatim | kSkippable;
    } else if (type == TokenType::kUserDefined) {
      flags[i] |= kVerbatim;
    }
    if (flags[i] & kVerbatim) {
      piece_bytes[i] = piece;
    } else if (spm) {
      const int byte = type == TokenType::kByte ? parse_byte_piece(piece) : -1;
      if (byte >= 0) {
        piece_bytes[i] = std::string(1, static_cast<char>(byte));
        flags[i] |= kBytePiece;
      } else {
        piece_bytes[i] = unescape_spaces(piece);
      }
    } else if (!byte_level_decode(piece, &piece_bytes[i])) {
      piece_bytes[i] = piece;  // not in the alphabet: Hugging Face's decoder keeps the text
    }
  }
  std::vector<AddedToken> raw_tokens;
  std::vector<AddedToken> norm_tokens;
  for (const AddedToken& t : spec.added_tokens) {
    piece_bytes[t.id] = t.content;
    flags[t.id] = (flags[t.id] & ~kSkippable) | kVerbatim | (t.special ? kSkippable : 0);
    (t.normalized && spec.nfc ? norm_tokens : raw_tokens).push_back(t);
  }
  raw_matcher = AddedTokenMatcher(raw_tokens);
  norm_matcher = AddedTokenMatcher(norm_tokens);
  if (spec.eos_id >= 0) flags[spec.eos_id] |= kEog;
  for (int32_t id : spec.eog_ids) flags[id] |= kEog;

  if (spm) {
    sentencepiece = SentencePieceBpeModel(spec, vocab);
  } else {
    pretokenizer = PreTokenizer(spec.pretokenizer_regexes, src + ": pre-tokenizer");
    byte_level = ByteLevelBpeModel(spec, vocab);
  }
}

// A chunk is text between two added tokens of the raw text.
void Tokenizer::Impl::encode_chunk(std::string_view chunk, bool parse_special, BpeScratch* scratch,
                                   std::vector<int32_t>* ids) const {
  if (chunk.empty()) return;
  if (spec.kind == TokenizerKind::kSentencePieceBpe) {
    encode_spm(spec.nfc ? nfc_normalize(chunk) : std::string(chunk), scratch, ids);
    return;
  }
  // Byte-level: valid stretches are normalized and pre-tokenized; each ill-formed byte sequence
  // is a word of its own (see tokenizer.h).
  const auto* p = reinterpret_cast<const uint8_t*>(chunk.data());
  size_t i = 0;
  while (i < chunk.size()) {
    size_t j = i;
    Utf8Scan bad{Utf8Scan::kComplete, 0};
    while (j < chunk.size()) {
      const Utf8Scan r = scan_utf8(p + j, chunk.size() - j);
      if (r.kind != Utf8Scan::kComplete) {
        bad = r;
        break;
      }
      j += r.length;
    }
    if (j > i) {
      const std::string_view valid = chunk.substr(i, j - i);
      if (!spec.nfc) {
        encode_normalized(valid, scratch, ids);
      } else {
        const std::string normalized = nfc_normalize(valid);
        std::vector<AddedTokenMatcher::Match> matches;
        norm_matcher.find(normalized, parse_special, &matches);
        size_t pos = 0;
        const std::string_view text = normalized;
        for (const auto& m : matches) {
          encode_normalized(text.substr(pos, m.start - pos), scratch, ids);
          ids->push_back(m.id);
          pos = m.end;
        }
        encode_normalized(text.substr(pos), scratch, ids);
      }
    }
    if (bad.length > 0) byte_level.encode_word(chunk.substr(j, bad.length), scratch, ids);
    i = j + bad.length;
  }
}

void Tokenizer::Impl::encode_normalized(std::string_view text, BpeScratch* scratch,
                                        std::vector<int32_t>* ids) const {
  if (text.empty()) return;
  std::string prefixed;
  if (spec.add_prefix_space && text[0] != ' ') {
    prefixed.reserve(text.size() + 1);
    prefixed.append(" ").append(text);
    text = prefixed;
  }
  std::vector<std::string_view> words;
  pretokenizer.split(text, &words);
  for (std::string_view w : words) {
    if (word_cache.lookup(w, ids)) continue;
    const size_t first = ids->size();
    // Llama 3 (ignore_merges): a word that is already a token stays whole.
    const int32_t whole = spec.ignore_merges ? vocab.find(byte_level_encode(w)) : -1;
    if (whole >= 0) {
      ids->push_back(whole);
    } else {
      byte_level.encode_word(w, scratch, ids);
    }
    word_cache.insert(w, std::span<const int32_t>(ids->data() + first, ids->size() - first));
  }
}

void Tokenizer::Impl::encode_spm(std::string_view text, BpeScratch* scratch,
                                 std::vector<int32_t>* ids) const {
  std::string collapsed;
  if (spec.remove_extra_whitespaces) {
    // sentencepiece's normalizer: no leading or trailing spaces, no runs of them.
    for (char c : text) {
      if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
      collapsed.push_back(c);
    }
    if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    text = collapsed;
  }
  if (text.empty()) return;
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 4 + 3);
  if (spec.add_dummy_prefix) escaped.append(kSpmSpace);
  for (char c : text) {
    if (c == ' ') {
      escaped.append(kSpmSpace);
    } else {
      escaped.push_back(c);
    }
  }
  sentencepiece.encode(escaped, scratch, ids);
}

Tokenizer::Tokenizer(TokenizerSpec spec) : impl_(std::make_unique<Impl>(std::move(spec))) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos,
                                       bool parse_special) const {
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    fail(ErrorCode::kInvalidArgument, "encode: text of ", text.size(), " bytes is too long");
  }
  const TokenizerSpec& spec = impl_->spec;
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 2);
  if (add_bos && spec.add_bos && spec.bos_id >= 0) ids.push_back(spec.bos_id);
  BpeScratch scratch;
  std::vector<AddedTokenMatcher::Match> matches;
  impl_->raw_matcher.find(text, parse_special, &matches);
  size_t pos = 0;
  for (const auto& m : matches) {
    impl_->encode_chunk(text.substr(pos, m.start - pos), parse_special, &scratch, &ids);
    ids.push_back(m.id);
    pos = m.end;
  }
  impl_->encode_chunk(text.substr(pos), parse_special, &scratch, &ids);
  if (add_bos && spec.add_eos && spec.eos_id >= 0) ids.push_back(spec.eos_id);
  return ids;
}

void Tokenizer::append_decoded(int32_t id, bool skip_special, bool* run_start,
                               std::string* bytes) const {
  if (id < 0 || id >= n_vocab()) return;
  const uint8_t f = impl_->flags[id];
  if (f & kVerbatim) {
    *run_start = true;  // encode adds a dummy prefix after an added token: drop it again
    if (!(skip_special && (f & kSkippable))) bytes->append(impl_->piece_bytes[id]);
    return;
  }
  std::string_view piece = impl_->piece_bytes[id];
  if (*run_start && impl_->spec.kind == TokenizerKind::kSentencePieceBpe &&
      impl_->spec.add_dummy_prefix && !(f & kBytePiece) && !piece.empty() && piece[0] == ' ') {
    piece.remove_prefix(1);
  }
  *run_start = false;
  bytes->append(piece);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::string bytes;
  bool run_start = true;
  for (int32_t id : ids) append_decoded(id, skip_special, &run_start, &bytes);
  return utf8_lossy(bytes);
}

const std::string& Tokenizer::token_piece_bytes(int32_t id) const {
  static const std::string kEmpty;
  return id < 0 || id >= n_vocab() ? kEmpty : impl_->piece_bytes[id];
}

int32_t Tokenizer::n_vocab() const {
  return static_cast<int32_t>(impl_->spec.tokens.size());
}
int32_t Tokenizer::bos() const {
  return impl_->spec.bos_id;
}
int32_t Tokenizer::eos() const {
  return impl_->spec.eos_id;
}

bool Tokenizer::is_eog(int32_t id) const {
  return id >= 0 && id < n_vocab() && (impl_->flags[id] & kEog);
}

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < n_vocab() && (impl_->flags[id] & kSkippable);
}

std::optional<int32_t> Tokenizer::token_id(std::string_view piece) const {
  const int32_t id = impl_->vocab.find(piece);
  if (id < 0) return std::nullopt;
  return id;
}

TokenizerKind Tokenizer::kind() const {
  return impl_->spec.kind;
}
const std::string& Tokenizer::chat_template() const {
  return impl_->spec.chat_template;
}
const TokenizerSpec& Tokenizer::spec() const {
  return impl_->spec;
}

}  // namespace pocket
