#include "tokenizer/sentencepiece_loader.h"

#include "core/error.h"
#include "core/mapped_file.h"
#include "tokenizer/end_of_generation.h"
#include "tokenizer/hf_tokenizer_config.h"
#include "tokenizer/protobuf_reader.h"

namespace pocket {

namespace {

// Field numbers of sentencepiece_model.proto.
enum ModelField : uint32_t { kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3 };
enum PieceField : uint32_t { kPiece = 1, kScore = 2, kType = 3 };
enum TrainerField : uint32_t {
  kModelType = 3,
  kTreatWhitespaceAsSuffix = 24,
  kByteFallback = 35,
  kUnkId = 40,
  kBosId = 41,
  kEosId = 42,
  kPadId = 43,
};
enum NormalizerField : uint32_t {
  kName = 1,
  kPrecompiledCharsmap = 2,
  kAddDummyPrefix = 3,
  kRemoveExtraWhitespaces = 4,
  kEscapeWhitespaces = 5,
};
constexpr int64_t kModelTypeBpe = 2;

struct Trainer {
  int64_t model_type = 1;  // the proto default is UNIGRAM
  bool byte_fallback = false;
  bool whitespace_as_suffix = false;
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
};

struct Normalizer {
  std::string name = "identity";
  bool has_rules = false;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

void read_piece(ProtobufReader r, size_t index, TokenizerSpec* spec) {
  std::string piece;
  float score = 0.0f;
  int64_t type = 1;  // NORMAL
  while (r.next()) {
    switch (r.field()) {
      case kPiece:
        piece = std::string(r.bytes());
        break;
      case kScore:
        score = r.fixed32_float();
        break;
      case kType:
        type = static_cast<int64_t>(r.varint());
        break;
      default:
        r.skip();
    }
  }
  if (type < 1 || type > 6) {
    fail(ErrorCode::kFormat, spec->source, ": pieces[", index, "].type ", type, " is not valid");
  }
  spec->tokens.push_back(std::move(piece));
  spec->scores.push_back(score);
  spec->token_types.push_back(static_cast<TokenType>(type));
}

Trainer read_trainer(ProtobufReader r) {
  Trainer t;
  while (r.next()) {
    switch (r.field()) {
      case kModelType:
        t.model_type = static_cast<int64_t>(r.varint());
        break;
      case kTreatWhitespaceAsSuffix:
        t.whitespace_as_suffix = r.boolean();
        break;
      case kByteFallback:
        t.byte_fallback = r.boolean();
        break;
      case kUnkId:
        t.unk_id = r.int32();
        break;
      case kBosId:
        t.bos_id = r.int32();
        break;
      case kEosId:
        t.eos_id = r.int32();
        break;
      case kPadId:
        t.pad_id = r.int32();
        break;
      default:
        r.skip();
    }
  }
  return t;
}

Normalizer read_normalizer(ProtobufReader r) {
  Normalizer n;
  while (r.next()) {
    switch (r.field()) {
      case kName:
        n.name = std::string(r.bytes());
        break;
      case kPrecompiledCharsmap:
        n.has_rules = !r.bytes().empty();
        break;
      case kAddDummyPrefix:
        n.add_dummy_prefix = r.boolean();
        break;
      case kRemoveExtraWhitespaces:
        n.remove_extra_whitespaces = r.boolean();
        break;
      case kEscapeWhitespaces:
        n.escape_whitespaces = r.boolean();
        break;
      default:
        r.skip();
    }
  }
  return n;
}

int32_t checked_id(int32_t id, const TokenizerSpec& spec, const char* field) {
  if (id < -1 || id >= static_cast<int64_t>(spec.tokens.size())) {
    fail(ErrorCode::kFormat, spec.source, ": trainer_spec.", field, " ", id,
         " is outside the vocabulary of ", spec.tokens.size(), " pieces");
  }
  return id;
}

int32_t piece_id(const TokenizerSpec& spec, const std::string& piece, const std::string& file,
                 const char* field) {
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    if (spec.tokens[i] == piece) return static_cast<int32_t>(i);
  }
  fail(ErrorCode::kFormat, file, ": ", field, ": token '", piece, "' is not in the vocabulary");
}

}  // namespace

TokenizerSpec load_sentencepiece_model(const std::string& path) {
  const MappedFile file(path);
  TokenizerSpec spec;
  spec.source = path;
  spec.kind = TokenizerKind::kSentencePieceBpe;
  Trainer trainer;
  Normalizer normalizer;
  ProtobufReader r(std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), path);
  while (r.next()) {
    switch (r.field()) {
      case kPieces:
        read_piece(r.message(), spec.tokens.size(), &spec);
        break;
      case kTrainerSpec:
        trainer = read_trainer(r.message());
        break;
      case kNormalizerSpec:
        normalizer = read_normalizer(r.message());
        break;
      default:
        r.skip();
    }
  }
  if (spec.tokens.empty()) fail(ErrorCode::kFormat, path, ": no pieces (not a tokenizer.model?)");
  if (trainer.model_type != kModelTypeBpe) {
    fail(ErrorCode::kUnsupported, path, ": trainer_spec.model_type ", trainer.model_type,
         " is not supported (only BPE = 2)");
  }
  if (trainer.whitespace_as_suffix || !normalizer.escape_whitespaces) {
    fail(ErrorCode::kUnsupported, path,
         ": treat_whitespace_as_suffix / escape_whitespaces=false are not supported");
  }
  if (normalizer.has_rules || (normalizer.name != "identity" && !normalizer.name.empty())) {
    fail(ErrorCode::kUnsupported, path, ": normalizer_spec.name '", normalizer.name,
         "' is not supported (only identity)");
  }
  spec.byte_fallback = trainer.byte_fallback;
  spec.add_dummy_prefix = normalizer.add_dummy_prefix;
  spec.remove_extra_whitespaces = normalizer.remove_extra_whitespaces;
  spec.unk_id = checked_id(trainer.unk_id, spec, "unk_id");
  spec.bos_id = checked_id(trainer.bos_id, spec, "bos_id");
  spec.eos_id = checked_id(trainer.eos_id, spec, "eos_id");
  spec.pad_id = checked_id(trainer.pad_id, spec, "pad_id");

  // Control, unknown and user-defined pieces are cut out of the text before encoding (the slow
  // transformers tokenizer's special tokens; llama.cpp does the same).
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    const TokenType t = spec.token_types[i];
    if (t != TokenType::kControl && t != TokenType::kUnknown && t != TokenType::kUserDefined) {
      continue;
    }
    if (spec.tokens[i].empty()) continue;
    AddedToken a;
    a.content = spec.tokens[i];
    a.id = static_cast<int32_t>(i);
    a.special = t != TokenType::kUserDefined;
    spec.added_tokens.push_back(std::move(a));
  }

  // transformers' LlamaTokenizer defaults: BOS added, EOS not.
  const std::string config_path = sibling_path(path, "tokenizer_config.json");
  const HfTokenizerConfig cfg = read_hf_tokenizer_config(config_path);
  spec.add_bos = cfg.add_bos_token.value_or(true);
  spec.add_eos = cfg.add_eos_token.value_or(false);
  if (cfg.bos_token) spec.bos_id = piece_id(spec, *cfg.bos_token, config_path, "bos_token");
  if (cfg.eos_token) spec.eos_id = piece_id(spec, *cfg.eos_token, config_path, "eos_token");
  if (spec.bos_id < 0) spec.add_bos = false;
  if (spec.eos_id < 0) spec.add_eos = false;
  spec.chat_template = cfg.chat_template;
  collect_end_of_generation_ids(&spec);
  return spec;
}

}  // namespace pocket
