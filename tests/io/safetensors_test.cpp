// Safetensors: hand-made files (valid and hostile), sharded folders, and the real Hugging Face
// checkpoint of brown-qwen2-7m against its F32 GGUF twin.
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "core/half.h"
#include "io/gguf.h"
#include "io/safetensors_folder.h"
#include "io_test_util.h"
#include "kernels/ref/dequant.h"
#include "shared_data.h"

namespace pocket {
namespace {

using test::expect_error;
using test::TempDir;

// A safetensors file: header length, the JSON text, then `data`.
std::vector<uint8_t> safetensors_bytes(const std::string& header,
                                       const std::vector<uint8_t>& data) {
  test::Bytes b;
  b.u64(header.size()).text(header);
  b.data.insert(b.data.end(), data.begin(), data.end());
  return b.data;
}

// Three tensors: "a" F32 [2, 3] (bytes 0..24), "b" F16 [4] (24..32), "c" BF16 [1, 2, 1] (32..36).
std::vector<uint8_t> small_file() {
  const std::string header =
      R"({"__metadata__": {"format": "pt"},
          "b": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},
          "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
          "c": {"dtype": "BF16", "shape": [1, 2, 1], "data_offsets": [32, 36]}})";
  test::Bytes data;
  data.data.reserve(64);  // avoids a GCC 12 -O3 false -Wstringop-overflow (aarch64)
  for (int i = 0; i < 6; ++i) data.f32(static_cast<float>(i) + 0.5f);
  for (uint16_t h : {0x3c00, 0x4000, 0xc000, 0x0000}) data.raw(&h, 2);  // 1, 2, -2, 0
  for (uint16_t b : {0x3f80, 0x4040}) data.raw(&b, 2);                  // 1, 3
  return safetensors_bytes(header, data.data);
}

std::vector<float> as_floats(const TensorView& t) {
  std::vector<float> out(static_cast<size_t>(t.n_elements()));
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    dequantize_row(t.type, t.row(r), out.data() + r * t.ne[0], t.ne[0]);
  }
  return out;
}

void expect_parse_error(const std::vector<uint8_t>& bytes, ErrorCode code,
                        std::initializer_list<std::string_view> parts) {
  expect_error([&] { SafetensorsFile::parse(bytes, "hostile.safetensors"); }, code, parts);
}

// A file with one F32 tensor "t" described by `entry`, followed by `data_size` zero bytes.
std::vector<uint8_t> one_tensor(const std::string& entry, size_t data_size = 16) {
  return safetensors_bytes(R"({"t": )" + entry + "}", std::vector<uint8_t>(data_size));
}

TEST(Safetensors, ReadsShapesInGgmlOrderWithoutCopying) {
  const auto bytes = small_file();
  const SafetensorsFile f = SafetensorsFile::parse(bytes, "small");
  ASSERT_EQ(f.tensors().size(), 3u);
  EXPECT_EQ(f.tensors()[0].name, "a");  // sorted by position in the file
  EXPECT_EQ(f.tensors()[1].name, "b");
  EXPECT_EQ(f.find_tensor("__metadata__"), nullptr);

  const TensorView* a = f.find_tensor("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type, DType::kF32);
  EXPECT_EQ(a->n_dims, 2u);
  EXPECT_EQ(a->ne, (std::array<int64_t, 4>{3, 2, 1, 1}));  // [2, 3] reversed
  EXPECT_EQ(a->data, bytes.data() + f.data_offset());
  EXPECT_EQ(as_floats(*a), (std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}));

  const TensorView* b = f.find_tensor("b");
  EXPECT_EQ(b->type, DType::kF16);
  EXPECT_EQ(as_floats(*b), (std::vector<float>{1, 2, -2, 0}));

  const TensorView* c = f.find_tensor("c");
  EXPECT_EQ(c->type, DType::kBF16);
  EXPECT_EQ(c->n_dims, 3u);
  EXPECT_EQ(c->ne, (std::array<int64_t, 4>{1, 2, 1, 1}));
  EXPECT_EQ(as_floats(*c), (std::vector<float>{1, 3}));
}

TEST(Safetensors, ScalarsAndEmptyTensors) {
  const auto bytes = safetensors_bytes(
      R"({"s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},
          "e": {"dtype": "F16", "shape": [0, 5], "data_offsets": [4, 4]}})",
      std::vector<uint8_t>(4));
  const SafetensorsFile f = SafetensorsFile::parse(bytes, "odd shapes");
  EXPECT_EQ(f.find_tensor("s")->n_dims, 1u);
  EXPECT_EQ(f.find_tensor("s")->n_elements(), 1);
  EXPECT_EQ(f.find_tensor("e")->n_elements(), 0);
  EXPECT_EQ(f.find_tensor("e")->nbytes, 0u);
}

TEST(Safetensors, UnsupportedDtypesAndRanks) {
  expect_parse_error(one_tensor(R"({"dtype": "I64", "shape": [2], "data_offsets": [0, 16]})"),
                     ErrorCode::kUnsupported, {"hostile.safetensors", "tensor 't'", "'I64'"});
  expect_parse_error(one_tensor(R"({"dtype": "F8_E4M3", "shape": [16], "data_offsets": [0, 16]})"),
                     ErrorCode::kUnsupported, {"tensor 't'", "F8_E4M3"});
  expect_parse_error(
      one_tensor(R"({"dtype": "F32", "shape": [1, 1, 1, 1, 4], "data_offsets": [0, 16]})"),
      ErrorCode::kUnsupported, {"tensor 't'", "5 dims"});
}

TEST(Safetensors, MalformedEntries) {
  expect_parse_error(one_tensor(R"({"shape": [4], "data_offsets": [0, 16]})"), ErrorCode::kFormat,
                     {"tensor 't'", "dtype"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": 4, "data_offsets": [0, 16]})"),
                     ErrorCode::kFormat, {"tensor 't'", "shape"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [4], "data_offsets": [0]})"),
                     ErrorCode::kFormat, {"tensor 't'", "data_offsets"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]})"),
                     ErrorCode::kFormat, {"tensor 't'", "-4"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [4.0], "data_offsets": [0, 16]})"),
                     ErrorCode::kFormat, {"tensor 't'", "shape dim"});
  expect_parse_error(one_tensor(R"([1, 2])"), ErrorCode::kFormat, {"tensor 't'", "not an object"});
  expect_parse_error(safetensors_bytes("[1, 2]", {}), ErrorCode::kFormat, {"not a JSON object"});
  expect_parse_error(safetensors_bytes("{\"t\": ", {}), ErrorCode::kFormat, {"invalid JSON"});
  expect_parse_error(
      safetensors_bytes(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                            "t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                        std::vector<uint8_t>(8)),
      ErrorCode::kFormat, {"\"t\" appears twice"});
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  expect_parse_error(safetensors_bytes(R"({"m": )" + deep + "}", {}), ErrorCode::kFormat,
                     {"nested"});
}

TEST(Safetensors, DataOffsetsAreValidated) {
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [4], "data_offsets": [16, 0]})"),
                     ErrorCode::kFormat, {"tensor 't'", "[16, 0]", "not inside"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [4], "data_offsets": [8, 24]})"),
                     ErrorCode::kFormat, {"tensor 't'", "not inside", "16 bytes"});
  expect_parse_error(one_tensor(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 16]})"),
                     ErrorCode::kFormat, {"tensor 't'", "hold 16 bytes", "needs 12"});
  expect_parse_error(
      one_tensor(R"({"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]})"),
      ErrorCode::kOutOfRange, {"tensor 't'", "overflow"});
  expect_parse_error(
      one_tensor(R"({"dtype": "F32", "shape": [4611686018427387904], "data_offsets": [0, 16]})"),
      ErrorCode::kOutOfRange, {"tensor 't'", "overflow"});
  expect_parse_error(
      one_tensor(R"({"dtype": "F32", "shape": [4], "data_offsets": [0, 18446744073709551616]})"),
      ErrorCode::kFormat, {"tensor 't'", "data_offsets[1]"});
  expect_parse_error(
      safetensors_bytes(R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                            "y": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                        std::vector<uint8_t>(12)),
      ErrorCode::kFormat, {"'x'", "'y'", "overlap"});
}

TEST(Safetensors, HeaderLength) {
  test::Bytes too_long;
  too_long.u64(1000).text("{}");
  expect_parse_error(too_long.data, ErrorCode::kFormat, {"header length 1000", "2 bytes"});
  expect_parse_error(std::vector<uint8_t>{1, 2, 3}, ErrorCode::kFormat, {"header length"});

  // A header length just above the limit, in a sparse file big enough to hold it.
  TempDir dir;
  const std::string path = dir.file("huge.safetensors");
  {
    test::Bytes head;
    head.u64(SafetensorsFile::kMaxHeaderBytes + 1).text("{");
    test::write_file(path, head.data);
  }
  std::filesystem::resize_file(path, SafetensorsFile::kMaxHeaderBytes + 64);
  expect_error([&] { SafetensorsFile::open(path); }, ErrorCode::kFormat,
               {"huge.safetensors", "exceeds the limit"});
}

TEST(Safetensors, EveryTruncationFails) {
  const auto bytes = small_file();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(SafetensorsFile::parse(std::span<const uint8_t>(bytes.data(), n), "prefix"), Error)
        << "prefix of " << n << " bytes";
  }
}

TEST(SafetensorsFolder, SingleFileAndShards) {
  TempDir dir;
  test::write_file(dir.file("model.safetensors"), small_file());
  const SafetensorsFolder single = SafetensorsFolder::open(dir.path().string());
  EXPECT_EQ(single.tensors().size(), 3u);
  EXPECT_NE(single.find_tensor("c"), nullptr);

  TempDir sharded;
  const auto shard1 =
      safetensors_bytes(R"({"x.weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                        std::vector<uint8_t>{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40});  // 1, 2
  const auto shard2 = safetensors_bytes(
      R"({"y.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
          "z.weight": {"dtype": "F16", "shape": [2], "data_offsets": [4, 8]}})",
      std::vector<uint8_t>{0, 0, 0x40, 0x40, 0x00, 0x3c, 0x00, 0xc0});  // 3; 1, -2
  test::write_file(sharded.file("model-00001-of-00002.safetensors"), shard1);
  test::write_file(sharded.file("model-00002-of-00002.safetensors"), shard2);
  std::ofstream(sharded.file("model.safetensors.index.json")) << R"({
    "metadata": {"total_size": 16},
    "weight_map": {
      "x.weight": "model-00001-of-00002.safetensors",
      "y.weight": "model-00002-of-00002.safetensors",
      "z.weight": "model-00002-of-00002.safetensors"
    }})";
  SafetensorsFolder folder = SafetensorsFolder::open(sharded.path().string());
  EXPECT_EQ(folder.shards().size(), 2u);
  ASSERT_EQ(folder.tensors().size(), 3u);
  EXPECT_EQ(as_floats(*folder.find_tensor("x.weight")), (std::vector<float>{1, 2}));
  EXPECT_EQ(as_floats(*folder.find_tensor("y.weight")), (std::vector<float>{3}));
  EXPECT_EQ(as_floats(*folder.find_tensor("z.weight")), (std::vector<float>{1, -2}));

  // The views stay valid after the folder object moves.
  const SafetensorsFolder moved = std::move(folder);
  EXPECT_EQ(as_floats(*moved.find_tensor("z.weight")), (std::vector<float>{1, -2}));
}

TEST(SafetensorsFolder, BadShardSets) {
  TempDir dir;
  const auto shard =
      safetensors_bytes(R"({"x.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                        std::vector<uint8_t>(4));
  test::write_file(dir.file("a.safetensors"), shard);
  test::write_file(dir.file("b.safetensors"), shard);
  const std::string index = dir.file("model.safetensors.index.json");

  std::ofstream(index) << R"({"weight_map": {"x.weight": "a.safetensors",
                                             "y.weight": "missing.safetensors"}})";
  expect_error([&] { SafetensorsFolder::open(dir.path().string()); }, ErrorCode::kIo,
               {"missing.safetensors"});

  std::ofstream(index) << R"({"weight_map": {"x.weight": "a.safetensors",
                                             "y.weight": "b.safetensors"}})";
  expect_error([&] { SafetensorsFolder::open(dir.path().string()); }, ErrorCode::kFormat,
               {"'x.weight'", "a.safetensors", "b.safetensors"});

  std::ofstream(index) << R"({"weight_map": {"x.weight": "a.safetensors",
                                             "w.weight": "a.safetensors"}})";
  expect_error([&] { SafetensorsFolder::open(dir.path().string()); }, ErrorCode::kFormat,
               {"'w.weight'", "does not hold it"});

  std::ofstream(index) << R"({"weight_map": {"x.weight": "../a.safetensors"}})";
  expect_error([&] { SafetensorsFolder::open(dir.path().string()); }, ErrorCode::kFormat,
               {"../a.safetensors", "not a file name"});

  std::ofstream(index) << R"({"metadata": {}})";
  expect_error([&] { SafetensorsFolder::open(dir.path().string()); }, ErrorCode::kFormat,
               {"weight_map"});

  TempDir empty;
  expect_error([&] { SafetensorsFolder::open(empty.path().string()); }, ErrorCode::kIo,
               {"model.safetensors"});
}

TEST(SafetensorsRealModel, MatchesTheF32Gguf) {
  const SafetensorsFolder hf =
      SafetensorsFolder::open(test::shared_path("models/brown-qwen2-7m/hf"));
  const GgufFile gguf =
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"));
  EXPECT_EQ(hf.tensors().size(), 75u);
  const TensorView* embed = hf.find_tensor("model.embed_tokens.weight");
  ASSERT_NE(embed, nullptr);
  EXPECT_EQ(embed->type, DType::kF32);
  EXPECT_EQ(embed->ne[0], 256);  // HF [4096, 256] -> GGML [256, 4096]
  EXPECT_EQ(embed->ne[1], 4096);

  // qwen2 GGUF keeps q/k unpermuted, but compare names whose layout is untouched by any converter.
  const std::pair<const char*, const char*> pairs[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"lm_head.weight", "output.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"model.layers.0.mlp.gate_proj.weight", "blk.0.ffn_gate.weight"},
      {"model.layers.3.mlp.down_proj.weight", "blk.3.ffn_down.weight"},
      {"model.layers.5.self_attn.v_proj.bias", "blk.5.attn_v.bias"},
      {"model.layers.2.post_attention_layernorm.weight", "blk.2.ffn_norm.weight"},
  };
  for (const auto& [hf_name, gguf_name] : pairs) {
    const TensorView* a = hf.find_tensor(hf_name);
    const TensorView* b = gguf.find_tensor(gguf_name);
    ASSERT_NE(a, nullptr) << hf_name;
    ASSERT_NE(b, nullptr) << gguf_name;
    EXPECT_EQ(a->ne, b->ne) << hf_name;
    EXPECT_EQ(as_floats(*a), as_floats(*b)) << hf_name << " vs " << gguf_name;
  }
}

}  // namespace
}  // namespace pocket
