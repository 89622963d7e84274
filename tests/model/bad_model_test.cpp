// Broken model files as a user might point `pocket` at them: each must fail with a pocket::Error
// of the right kind whose message names what is wrong (the file, key, tensor or shapes). Every
// bad file differs from a loadable one in exactly one way, and the loadable one is checked too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>

#include "expect_error.h"
#include "model_fixtures.h"
#include "runtime/model_loader.h"
#include "shared_data.h"

namespace pocket {
namespace {

namespace fs = std::filesystem;
using test::GgufParts;

using test::expect_error;
void expect_load_error(const std::string& path, ErrorCode code,
                       std::initializer_list<std::string_view> parts) {
  expect_error([&] { load_model(path); }, code, parts);
}

class BadModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stories_ =
        std::make_unique<GgufFile>(GgufFile::open(test::shared_path("models/stories260K.gguf")));
  }
  static void TearDownTestSuite() { stories_.reset(); }

  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("pocket-bad-model-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
            "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // A copy of stories260K, written through GgufWriter.
  static GgufParts stories() { return GgufParts::from_file(*stories_); }

  std::string write(const GgufParts& parts, const std::string& name) {
    const std::string path = (dir_ / name).string();
    parts.write(path);
    return path;
  }

  // A Hugging Face folder of stories260K's weights with a tiny byte-level tokenizer.json.
  std::string hf_folder(const std::string& drop_tensor = "") {
    const fs::path dir = dir_ / "hf";
    test::write_hf_folder(dir, *stories_, test::test_data_path("tokenizer/tiny/tokenizer.json"),
                          drop_tensor);
    return dir.string();
  }

  static std::unique_ptr<GgufFile> stories_;
  fs::path dir_;
};

std::unique_ptr<GgufFile> BadModel::stories_;

TEST_F(BadModel, TheGgufCopyLoads) {
  const LoadedModel m = load_model(write(stories(), "copy.gguf"));
  EXPECT_EQ(m.model->spec().n_layer, 5);
  EXPECT_EQ(m.model->spec().n_vocab, 512);
  EXPECT_EQ(m.tokenizer->n_vocab(), 512);
}

TEST_F(BadModel, GgufUnknownArchitecture) {
  GgufParts p = stories();
  p.set_string("general.architecture", "mamba");
  const std::string path = write(p, "mamba.gguf");
  expect_load_error(path, ErrorCode::kUnsupported, {path, "architecture 'mamba'"});
}

TEST_F(BadModel, GgufMissingTensor) {
  GgufParts p = stories();
  p.drop_tensor("blk.1.ffn_up.weight");
  const std::string path = write(p, "missing_tensor.gguf");
  expect_load_error(path, ErrorCode::kFormat, {path, "missing tensor 'blk.1.ffn_up.weight'"});
}

TEST_F(BadModel, GgufWrongShape) {
  GgufParts p = stories();
  p.reshape("blk.0.attn_q.weight", DType::kF32, {64, 32});
  const std::string path = write(p, "wrong_shape.gguf");
  expect_load_error(path, ErrorCode::kFormat,
                    {path, "'blk.0.attn_q.weight'", "[64, 32]", "expected [64, 64]"});
}

// A matrix with the right first two dims but more than one slice along a later one.
TEST_F(BadModel, GgufExtraTrailingDimension) {
  GgufParts p = stories();
  p.reshape("blk.0.attn_q.weight", DType::kF32, {64, 64, 1, 2});
  const std::string path = write(p, "trailing_dim.gguf");
  expect_load_error(path, ErrorCode::kFormat,
                    {path, "'blk.0.attn_q.weight'", "[64, 64, 1, 2]", "expected [64, 64]"});
}

TEST_F(BadModel, GgufMissingMetadataKey) {
  GgufParts p = stories();
  p.drop_key("llama.block_count");
  const std::string path = write(p, "missing_key.gguf");
  expect_load_error(path, ErrorCode::kFormat, {path, "llama.block_count"});
}

// Found by reading the fuzz target: the loader used to size its layer table from the key alone
// and ran out of memory before looking for a single layer tensor.
TEST_F(BadModel, GgufAbsurdBlockCount) {
  GgufParts p = stories();
  p.set_uint32("llama.block_count", 0x7FFFFFFF);
  const std::string path = write(p, "block_count.gguf");
  expect_load_error(path, ErrorCode::kFormat, {path, "missing tensor 'blk.5.attn_norm.weight'"});
}

TEST_F(BadModel, GgufTensorOfUnsupportedType) {
  // stories260K's rows are 64 or 172 long, never a whole Q2_K block of 256: use a wider model.
  GgufParts p = GgufParts::wide_llama();
  EXPECT_EQ(load_model(write(p, "wide.gguf")).model->spec().n_embd, 256);
  p.reshape("blk.0.ffn_down.weight", DType::kQ2_K, {256, 256});
  const std::string path = write(p, "q2_k.gguf");
  expect_load_error(path, ErrorCode::kUnsupported, {path, "'blk.0.ffn_down.weight'", "Q2_K"});
}

TEST_F(BadModel, TheHfFolderLoads) {
  const LoadedModel m = load_model(hf_folder());
  EXPECT_EQ(m.model->spec().n_layer, 5);
  EXPECT_EQ(m.model->format(), ModelFormat::kHuggingFace);
  EXPECT_EQ(m.tokenizer->n_vocab(), 14);
}

TEST_F(BadModel, HfConfigIsNotJson) {
  const std::string dir = hf_folder();
  test::write_text(fs::path(dir) / "config.json", "{\"model_type\": \"llama\",");
  expect_load_error(dir, ErrorCode::kFormat, {"config.json", "not a valid JSON object"});
}

TEST_F(BadModel, HfUnknownModelType) {
  const std::string dir = hf_folder();
  nlohmann::json config = test::hf_llama_config(*stories_);
  config["model_type"] = "mamba";
  test::write_text(fs::path(dir) / "config.json", config.dump());
  expect_load_error(dir, ErrorCode::kUnsupported, {"config.json", "model_type 'mamba'"});
}

TEST_F(BadModel, HfMissingConfig) {
  const std::string dir = hf_folder();
  fs::remove(fs::path(dir) / "config.json");
  expect_load_error(dir, ErrorCode::kIo, {(fs::path(dir) / "config.json").string()});
}

TEST_F(BadModel, HfMissingSafetensors) {
  const std::string dir = hf_folder();
  fs::remove(fs::path(dir) / "model.safetensors");
  expect_load_error(dir, ErrorCode::kIo, {dir, "model.safetensors"});
}

TEST_F(BadModel, HfMissingTensor) {
  const std::string dir = hf_folder("model.layers.1.mlp.up_proj.weight");
  expect_load_error(dir, ErrorCode::kFormat,
                    {dir, "missing tensor 'model.layers.1.mlp.up_proj.weight'"});
}

TEST_F(BadModel, HfNoTokenizer) {
  const std::string dir = hf_folder();
  fs::remove(fs::path(dir) / "tokenizer.json");
  expect_load_error(dir, ErrorCode::kIo, {dir, "tokenizer.json", "tokenizer.model"});
}

TEST_F(BadModel, HfTruncatedSafetensors) {
  const std::string dir = hf_folder();
  const fs::path file = fs::path(dir) / "model.safetensors";
  fs::resize_file(file, fs::file_size(file) / 2);
  expect_load_error(dir, ErrorCode::kFormat, {file.string()});
}

TEST_F(BadModel, HfTokenizerJsonIsNotJson) {
  const std::string dir = hf_folder();
  test::write_text(fs::path(dir) / "tokenizer.json", "this is not JSON");
  expect_load_error(dir, ErrorCode::kFormat, {(fs::path(dir) / "tokenizer.json").string()});
}

}  // namespace
}  // namespace pocket
