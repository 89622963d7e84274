#include "tokenizer/hf_tokenizer_config.h"

#include <filesystem>

#include "tokenizer/json_fields.h"

namespace pocket {

namespace {

std::optional<std::string> token_content(const JsonFields& f, const nlohmann::json& root,
                                         const char* key) {
  const nlohmann::json* v = f.find(root, "", key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_object()) return f.string(f.require(*v, key, "content"), json_path(key, "content"));
  return f.string(*v, key);
}

}  // namespace

HfTokenizerConfig read_hf_tokenizer_config(const std::string& path) {
  HfTokenizerConfig cfg;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return cfg;
  const JsonFields f(path);
  const nlohmann::json root = f.parse_file();
  f.object(root, "");
  cfg.present = true;
  if (const auto* v = f.find(root, "", "add_bos_token"); v && !v->is_null()) {
    cfg.add_bos_token = f.boolean(*v, "add_bos_token");
  }
  if (const auto* v = f.find(root, "", "add_eos_token"); v && !v->is_null()) {
    cfg.add_eos_token = f.boolean(*v, "add_eos_token");
  }
  cfg.bos_token = token_content(f, root, "bos_token");
  cfg.eos_token = token_content(f, root, "eos_token");
  cfg.unk_token = token_content(f, root, "unk_token");
  cfg.pad_token = token_content(f, root, "pad_token");
  if (const auto* v = f.find(root, "", "chat_template"); v && !v->is_null()) {
    if (v->is_string()) {
      cfg.chat_template = v->get<std::string>();
    } else {
      // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
      const nlohmann::json& list = f.array(*v, "chat_template");
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string field = json_path("chat_template", i);
        const std::string& name = f.string(f.require(list[i], field, "name"), field + ".name");
        const std::string& text =
            f.string(f.require(list[i], field, "template"), field + ".template");
        if (name == "default" || cfg.chat_template.empty()) cfg.chat_template = text;
      }
    }
  }
  return cfg;
}

std::string sibling_path(const std::string& file, const std::string& name) {
  return (std::filesystem::path(file).parent_path() / name).string();
}

}  // namespace pocket
