#include "tokenizer/tokenizer_json_loader.h"

#include <algorithm>

#include "core/error.h"
#include "tokenizer/end_of_generation.h"
#include "tokenizer/hf_tokenizer_config.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/pretokenizer_patterns.h"
#include "tokenizer/tokenizer_json_reader.h"

namespace pocket {

namespace {

using nlohmann::json;

// Ids beyond this are refused: a bad file must not make us allocate gigabytes.
constexpr int64_t kMaxVocab = int64_t{1} << 24;

const std::string& type_of(const JsonFields& f, const json& node, const std::string& field) {
  return f.string(f.require(node, field, "type"), json_path(field, "type"));
}

// Escapes a literal for use inside a PCRE2 pattern.
std::string regex_literal(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void read_normalizer(const JsonFields& f, const json& node, const std::string& field,
                     TokenizerSpec* spec) {
  if (node.is_null()) return;
  const std::string& type = type_of(f, node, field);
  if (type == "NFC") {
    spec->nfc = true;
  } else if (type == "Sequence") {
    const json& list =
        f.array(f.require(node, field, "normalizers"), json_path(field, "normalizers"));
    for (size_t i = 0; i < list.size(); ++i) {
      read_normalizer(f, list[i], json_path(json_path(field, "normalizers"), i), spec);
    }
  } else {
    fail(ErrorCode::kUnsupported, f.file(), ": ", field, ": normalizer type '", type,
         "' is not supported (only NFC)");
  }
}

// Appends the regexes of a pre-tokenizer; *byte_level tells whether a ByteLevel step was last.
void read_pretokenizer(const JsonFields& f, const json& node, const std::string& field,
                       TokenizerSpec* spec, bool* byte_level) {
  if (node.is_null()) return;
  const std::string& type = type_of(f, node, field);
  if (*byte_level) {
    // Our regexes run on raw text; a split after the byte mapping would see other characters.
    fail(ErrorCode::kUnsupported, f.file(), ": ", field, ": '", type,
         "' after ByteLevel is not supported");
  }
  if (type == "Sequence") {
    const std::string list_field = json_path(field, "pretokenizers");
    const json& list = f.array(f.require(node, field, "pretokenizers"), list_field);
    for (size_t i = 0; i < list.size(); ++i) {
      read_pretokenizer(f, list[i], json_path(list_field, i), spec, byte_level);
    }
  } else if (type == "ByteLevel") {
    spec->add_prefix_space = f.boolean_or(node, field, "add_prefix_space", false);
    if (f.boolean_or(node, field, "use_regex", true))
      spec->pretokenizer_regexes.push_back(kGpt2Pattern);
    *byte_level = true;
  } else if (type == "Split") {
    const std::string pfield = json_path(field, "pattern");
    const json& pattern = f.object(f.require(node, field, "pattern"), pfield);
    if (const json* re = f.find(pattern, pfield, "Regex")) {
      spec->pretokenizer_regexes.push_back(f.string(*re, json_path(pfield, "Regex")));
    } else if (const json* lit = f.find(pattern, pfield, "String")) {
      spec->pretokenizer_regexes.push_back(
          regex_literal(f.string(*lit, json_path(pfield, "String"))));
    } else {
      f.bad(pfield, "expected {\"Regex\": ...} or {\"String\": ...}");
    }
    const std::string& behavior =
        f.string(f.require(node, field, "behavior"), json_path(field, "behavior"));
    if (behavior != "Isolated" || f.boolean_or(node, field, "invert", false)) {
      fail(ErrorCode::kUnsupported, f.file(), ": ", field, ": Split with behavior '", behavior,
           "' (or invert) is not supported (only Isolated)");
    }
  } else if (type == "Digits") {
    const bool single = f.boolean_or(node, field, "individual_digits", false);
    spec->pretokenizer_regexes.push_back(single ? R"(\p{N})" : R"(\p{N}+)");
  } else {
    fail(
        ErrorCode::kUnsupported, f.file(), ": ", field, ": pre-tokenizer type '", type,
        "' is not supported (byte-level BPE only; SentencePiece models load from tokenizer.model)");
  }
}

struct Template {
  std::string bos, eos;  // special token names around $A in the "single" template
};

void read_post_processor(const JsonFields& f, const json& node, const std::string& field,
                         Template* t) {
  if (node.is_null()) return;
  const std::string& type = type_of(f, node, field);
  if (type == "ByteLevel") return;
  if (type == "Sequence") {
    const std::string list_field = json_path(field, "processors");
    const json& list = f.array(f.require(node, field, "processors"), list_field);
    for (size_t i = 0; i < list.size(); ++i) {
      read_post_processor(f, list[i], json_path(list_field, i), t);
    }
    return;
  }
  if (type != "TemplateProcessing") {
    fail(ErrorCode::kUnsupported, f.file(), ": ", field, ": post-processor type '", type,
         "' is not supported");
  }
  const std::string sfield = json_path(field, "single");
  const json& single = f.array(f.require(node, field, "single"), sfield);
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const std::string item_field = json_path(sfield, i);
    const json& item = f.object(single[i], item_field);
    if (f.find(item, item_field, "Sequence")) {
      seen_sequence = true;
    } else if (const json* sp = f.find(item, item_field, "SpecialToken")) {
      const std::string id_field = json_path(item_field, "SpecialToken");
      const std::string& name = f.string(f.require(*sp, id_field, "id"), json_path(id_field, "id"));
      std::string& slot = seen_sequence ? t->eos : t->bos;
      if (slot.empty()) slot = name;
    }
  }
}

void read_vocab(const JsonFields& f, TokenizerJsonDocument* doc, TokenizerSpec* spec) {
  if (!doc->has_vocab) f.object(f.require(doc->tree.at("model"), "model", "vocab"), "model.vocab");
  int64_t max_id = -1;
  for (const auto& [piece, id] : doc->vocab) {
    if (id < 0 || id >= kMaxVocab)
      f.bad(json_path("model.vocab", piece), cat("id ", id, " out of range"));
    max_id = std::max(max_id, id);
  }
  spec->tokens.resize(static_cast<size_t>(max_id + 1));
  spec->token_types.assign(spec->tokens.size(), TokenType::kUndefined);
  for (auto& [piece, id] : doc->vocab) {
    if (spec->token_types[id] != TokenType::kUndefined) {
      f.bad(json_path("model.vocab", piece),
            cat("id ", id, " is also used by '", spec->tokens[id], "'"));
    }
    spec->tokens[id] = std::move(piece);
    spec->token_types[id] = TokenType::kNormal;
  }
  doc->vocab = {};
}

void read_merges(const JsonFields& f, TokenizerJsonDocument* doc, TokenizerSpec* spec) {
  if (!doc->has_merges)
    f.array(f.require(doc->tree.at("model"), "model", "merges"), "model.merges");
  spec->merges.reserve(doc->merges.size());
  for (auto& m : doc->merges) spec->merges.push_back(std::move(m));
  doc->merges = {};
}

void read_added_tokens(const JsonFields& f, const json& root, TokenizerSpec* spec) {
  const json* list = f.find(root, "", "added_tokens");
  if (list == nullptr || list->is_null()) return;
  f.array(*list, "added_tokens");
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string field = json_path("added_tokens", i);
    const json& node = f.object((*list)[i], field);
    AddedToken t;
    const int64_t id = f.integer(f.require(node, field, "id"), json_path(field, "id"));
    if (id < 0 || id >= kMaxVocab) f.bad(json_path(field, "id"), cat("id ", id, " out of range"));
    t.id = static_cast<int32_t>(id);
    t.content = f.string(f.require(node, field, "content"), json_path(field, "content"));
    if (t.content.empty()) f.bad(json_path(field, "content"), "empty token");
    t.special = f.boolean_or(node, field, "special", false);
    t.lstrip = f.boolean_or(node, field, "lstrip", false);
    t.rstrip = f.boolean_or(node, field, "rstrip", false);
    t.normalized = f.boolean_or(node, field, "normalized", !t.special);
    t.single_word = f.boolean_or(node, field, "single_word", false);
    if (static_cast<size_t>(t.id) >= spec->tokens.size()) {
      spec->tokens.resize(static_cast<size_t>(t.id) + 1);
      spec->token_types.resize(static_cast<size_t>(t.id) + 1, TokenType::kUndefined);
    }
    spec->tokens[t.id] = t.content;
    spec->token_types[t.id] = t.special ? TokenType::kControl : TokenType::kUserDefined;
    spec->added_tokens.push_back(std::move(t));
  }
}

int32_t find_token(const TokenizerSpec& spec, const std::string& content) {
  for (const AddedToken& t : spec.added_tokens) {
    if (t.content == content) return t.id;
  }
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    if (spec.tokens[i] == content) return static_cast<int32_t>(i);
  }
  return -1;
}

int32_t require_token(const TokenizerSpec& spec, const std::string& content,
                      const std::string& file, const char* field) {
  const int32_t id = find_token(spec, content);
  if (id < 0) {
    fail(ErrorCode::kFormat, file, ": ", field, ": token '", content, "' is not in the vocabulary");
  }
  return id;
}

}  // namespace

TokenizerSpec load_hf_tokenizer_json(const std::string& path) {
  const JsonFields f(path);
  TokenizerJsonDocument doc = read_tokenizer_json(path);
  const json& root = f.object(doc.tree, "");
  TokenizerSpec spec;
  spec.source = path;
  spec.kind = TokenizerKind::kByteLevelBpe;

  const json& model = f.object(f.require(root, "", "model"), "model");
  if (const json* type = f.find(model, "model", "type"); type && !type->is_null()) {
    const std::string& t = f.string(*type, "model.type");
    if (t != "BPE") {
      fail(ErrorCode::kUnsupported, path, ": model.type '", t, "' is not supported (only BPE)");
    }
  }
  if (f.boolean_or(model, "model", "byte_fallback", false)) {
    fail(ErrorCode::kUnsupported, path,
         ": model.byte_fallback (SentencePiece-style BPE) is not supported; load tokenizer.model");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const json* v = f.find(model, "model", key);
    if (v && !v->is_null() && !f.string(*v, json_path("model", key)).empty()) {
      fail(ErrorCode::kUnsupported, path, ": model.", key, " is not supported");
    }
  }
  if (const json* d = f.find(model, "model", "dropout");
      d && !d->is_null() && (!d->is_number() || d->get<double>() > 0.0)) {
    fail(ErrorCode::kUnsupported, path, ": model.dropout (random merges) is not supported");
  }
  spec.ignore_merges = f.boolean_or(model, "model", "ignore_merges", false);
  read_vocab(f, &doc, &spec);
  read_merges(f, &doc, &spec);
  read_added_tokens(f, root, &spec);
  for (size_t i = 0; i < spec.token_types.size(); ++i) {
    if (spec.token_types[i] == TokenType::kUndefined) spec.token_types[i] = TokenType::kUnused;
  }

  if (const json* n = f.find(root, "", "normalizer")) read_normalizer(f, *n, "normalizer", &spec);
  bool byte_level = false;
  if (const json* p = f.find(root, "", "pre_tokenizer")) {
    read_pretokenizer(f, *p, "pre_tokenizer", &spec, &byte_level);
  }
  if (!byte_level) {
    fail(ErrorCode::kUnsupported, path,
         ": pre_tokenizer has no ByteLevel step; only byte-level BPE tokenizer.json is supported");
  }
  Template tmpl;
  if (const json* p = f.find(root, "", "post_processor")) {
    read_post_processor(f, *p, "post_processor", &tmpl);
  }

  if (const json* unk = f.find(model, "model", "unk_token"); unk && !unk->is_null()) {
    spec.unk_id = find_token(spec, f.string(*unk, "model.unk_token"));
  }
  const int32_t tmpl_bos =
      tmpl.bos.empty() ? -1 : require_token(spec, tmpl.bos, path, "post_processor (BOS)");
  const int32_t tmpl_eos =
      tmpl.eos.empty() ? -1 : require_token(spec, tmpl.eos, path, "post_processor (EOS)");

  const std::string config_path = sibling_path(path, "tokenizer_config.json");
  const HfTokenizerConfig cfg = read_hf_tokenizer_config(config_path);
  // transformers: add_bos_token in the config rebuilds the post-processor around bos_token;
  // without it the post-processor of tokenizer.json decides.
  if (cfg.add_bos_token.has_value()) {
    spec.add_bos = *cfg.add_bos_token;
    spec.bos_id =
        cfg.bos_token ? require_token(spec, *cfg.bos_token, config_path, "bos_token") : tmpl_bos;
    if (spec.bos_id < 0) spec.add_bos = false;
  } else {
    spec.add_bos = tmpl_bos >= 0;
    spec.bos_id = tmpl_bos >= 0   ? tmpl_bos
                  : cfg.bos_token ? require_token(spec, *cfg.bos_token, config_path, "bos_token")
                                  : -1;
  }
  if (cfg.add_eos_token.has_value()) {
    spec.add_eos = *cfg.add_eos_token;
    spec.eos_id =
        cfg.eos_token ? require_token(spec, *cfg.eos_token, config_path, "eos_token") : tmpl_eos;
    if (spec.eos_id < 0) spec.add_eos = false;
  } else {
    spec.add_eos = tmpl_eos >= 0;
    spec.eos_id = tmpl_eos >= 0   ? tmpl_eos
                  : cfg.eos_token ? require_token(spec, *cfg.eos_token, config_path, "eos_token")
                                  : -1;
  }
  if (cfg.pad_token) spec.pad_id = find_token(spec, *cfg.pad_token);
  spec.chat_template = cfg.chat_template;
  collect_end_of_generation_ids(&spec);
  return spec;
}

}  // namespace pocket
