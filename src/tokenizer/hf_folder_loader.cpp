#include "tokenizer/hf_folder_loader.h"

#include <filesystem>

#include "core/error.h"
#include "tokenizer/sentencepiece_loader.h"
#include "tokenizer/tokenizer_json_loader.h"

namespace pocket {

TokenizerSpec load_hf_tokenizer_dir(const std::string& dir) {
  const std::filesystem::path base(dir);
  std::error_code ec;
  if (std::filesystem::exists(base / "tokenizer.json", ec)) {
    return load_hf_tokenizer_json((base / "tokenizer.json").string());
  }
  if (std::filesystem::exists(base / "tokenizer.model", ec)) {
    return load_sentencepiece_model((base / "tokenizer.model").string());
  }
  fail(ErrorCode::kIo, dir, ": no tokenizer.json or tokenizer.model in this folder");
}

}  // namespace pocket
