#include "runtime/model_loader.h"

#include <filesystem>

#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_split.h"
#include "model/gguf_model_loader.h"
#include "model/hf_model_loader.h"
#include "tokenizer/gguf_tokenizer_loader.h"
#include "tokenizer/hf_folder_loader.h"

namespace pocket {
namespace {

namespace fs = std::filesystem;

enum class PathKind { kGgufFile, kFolder };

PathKind classify(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) fail(ErrorCode::kIo, "model path '", path, "' does not exist");
  if (fs::is_directory(status)) return PathKind::kFolder;
  return PathKind::kGgufFile;
}

// Checks that the ids the tokenizer may produce fit the model's embedding.
void check_vocab_fits(const Tokenizer& tok, const Model& model) {
  POCKET_CHECK(tok.n_vocab() <= model.spec().n_vocab, ErrorCode::kFormat, model.source(),
               ": the tokenizer has ", tok.n_vocab(), " tokens but the model's embedding has ",
               model.spec().n_vocab, " rows");
}

LoadedModel finish(std::unique_ptr<Model> model, TokenizerSpec spec) {
  LoadedModel out;
  out.model = std::move(model);
  out.tokenizer = std::make_unique<Tokenizer>(std::move(spec));
  check_vocab_fits(*out.tokenizer, *out.model);
  out.chat_format = detect_chat_format(out.tokenizer->chat_template());
  if (out.tokenizer->bos() >= 0)
    out.bos_text = out.tokenizer->token_piece_bytes(out.tokenizer->bos());
  return out;
}

}  // namespace

LoadedModel load_model(const std::string& path) {
  if (classify(path) == PathKind::kFolder) {
    auto model = load_hf_model(path);
    return finish(std::move(model), load_hf_tokenizer_dir(path));
  }
  // One file, or part 1 of a split model with its other parts (all checked before use).
  auto files = std::make_shared<const GgufModelFiles>(GgufModelFiles::open(path));
  TokenizerSpec spec = load_gguf_tokenizer(files->metadata());
  return finish(load_gguf_model(files), std::move(spec));
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  if (classify(path) == PathKind::kFolder) {
    return std::make_unique<Tokenizer>(load_hf_tokenizer_dir(path));
  }
  const GgufFile file = GgufFile::open(path);
  require_first_split_part(file);  // the tokenizer is in part 1 of a split model
  return std::make_unique<Tokenizer>(load_gguf_tokenizer(file));
}

}  // namespace pocket
