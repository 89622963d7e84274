// Hostile, truncated and corrupt GGUF files: each must give a pocket::Error that says what and
// where, never a crash or a read outside the bytes (ASan watches the latter).
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "io_test_util.h"
#include "shared_data.h"

namespace pocket {
namespace {

using test::Bytes;
using test::expect_error;

constexpr uint32_t kF32 = 0;
constexpr uint32_t kQ4_0 = 2;

// One key/value and one tensor "w" with the given info, followed by 256 bytes of data.
std::vector<uint8_t> file_with_tensor(std::initializer_list<uint64_t> ne, uint32_t type = kF32,
                                      uint64_t offset = 0) {
  Bytes b;
  b.gguf_preamble(1, 1).kv_str("general.architecture", "llama").tensor_info("w", ne, type, offset);
  return b.pad_to(32).zeros(256).data;
}

void expect_parse_error(const std::vector<uint8_t>& bytes, ErrorCode code,
                        std::initializer_list<std::string_view> parts) {
  expect_error([&] { GgufFile::parse(bytes, "hostile.gguf"); }, code, parts);
}

TEST(GgufBadInput, TheBaseFileIsValid) {
  const auto bytes = file_with_tensor({32, 2});
  const GgufFile f = GgufFile::parse(bytes, "ok");
  ASSERT_EQ(f.tensors().size(), 1u);
  EXPECT_EQ(f.tensors()[0].nbytes, 256u);
}

TEST(GgufBadInput, MagicAndVersion) {
  expect_parse_error({}, ErrorCode::kFormat, {"hostile.gguf", "end of data", "magic"});
  expect_parse_error(Bytes().text("GGML").u32(3).u64(0).u64(0).data, ErrorCode::kFormat,
                     {"hostile.gguf", "not a GGUF file", "47 47 4d 4c"});
  expect_parse_error(Bytes().gguf_preamble(0, 0, 1).data, ErrorCode::kUnsupported, {"version 1"});
  expect_parse_error(Bytes().gguf_preamble(0, 0, 4).data, ErrorCode::kUnsupported, {"version 4"});
  expect_parse_error(Bytes().gguf_preamble(0, 0, 0x03000000).data, ErrorCode::kUnsupported,
                     {"big-endian"});
  expect_parse_error(Bytes().text("GGUF").u32(3).u64(0).data, ErrorCode::kFormat,
                     {"key/value count", "byte 16"});
}

TEST(GgufBadInput, CountsBeyondTheFileSize) {
  expect_parse_error(Bytes().gguf_preamble(1ull << 62, 0).data, ErrorCode::kFormat,
                     {"tensor count 4611686018427387904"});
  expect_parse_error(Bytes().gguf_preamble(0, std::numeric_limits<uint64_t>::max()).data,
                     ErrorCode::kFormat, {"key/value count"});
  // Plausible one by one, too many together.
  expect_parse_error(Bytes().gguf_preamble(3, 3).zeros(100).data, ErrorCode::kFormat,
                     {"3 tensors and 3 key/values"});
}

TEST(GgufBadInput, HugeLengths) {
  expect_parse_error(Bytes().gguf_preamble(0, 1).u64(1ull << 63).zeros(20).data, ErrorCode::kFormat,
                     {"key/value #0 at byte 24", "key", "needs"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("a").u32(8).u64(1ull << 40).zeros(8).data,
                     ErrorCode::kFormat, {"key 'a' at byte 24", "string value"});
  // int32 array whose byte size overflows 64 bits, and one that merely exceeds the file.
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("arr").u32(9).u32(5).u64(1ull << 62).data,
                     ErrorCode::kOutOfRange, {"key 'arr'", "overflow"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("arr").u32(9).u32(5).u64(1ull << 40).data,
                     ErrorCode::kFormat, {"key 'arr'", "array elements"});
  expect_parse_error(
      Bytes().gguf_preamble(0, 1).str("toks").u32(9).u32(8).u64(1ull << 60).zeros(64).data,
      ErrorCode::kFormat, {"key 'toks'", "strings cannot fit"});
  // A string inside an array running past the end.
  expect_parse_error(
      Bytes().gguf_preamble(0, 1).str("toks").u32(9).u32(8).u64(2).str("ok").u64(99).text("x").data,
      ErrorCode::kFormat, {"key 'toks'", "array string"});
}

TEST(GgufBadInput, BadValues) {
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("k").u32(13).u32(0).data, ErrorCode::kFormat,
                     {"key 'k'", "unknown value type 13"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("k").u32(9).u32(42).u64(0).data,
                     ErrorCode::kFormat, {"key 'k'", "unknown array element type 42"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("k").u32(9).u32(9).u64(1).u32(4).u64(0).data,
                     ErrorCode::kUnsupported, {"key 'k'", "arrays of arrays"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("flag").u32(7).u8(2).zeros(16).data,
                     ErrorCode::kFormat, {"key 'flag'", "bool value 2"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("flags").u32(9).u32(7).u64(2).u8(1).u8(7).data,
                     ErrorCode::kFormat, {"key 'flags'", "bool value 7"});
  expect_parse_error(Bytes().gguf_preamble(0, 1).str("").u32(4).u32(1).data, ErrorCode::kFormat,
                     {"key length 0"});
  expect_parse_error(Bytes().gguf_preamble(0, 2).kv_u32("k", 1).kv_str("k", "again").data,
                     ErrorCode::kFormat, {"key 'k'", "duplicate key"});
}

TEST(GgufBadInput, Alignment) {
  auto with_alignment = [](Bytes kv) {
    Bytes b;
    b.gguf_preamble(1, 1);
    b.data.insert(b.data.end(), kv.data.begin(), kv.data.end());
    return b.tensor_info("w", {8}, kF32, 0).pad_to(64).zeros(64).data;
  };
  expect_parse_error(with_alignment(Bytes().kv_u32("general.alignment", 0)), ErrorCode::kFormat,
                     {"general.alignment", "power of two"});
  expect_parse_error(with_alignment(Bytes().kv_u32("general.alignment", 48)), ErrorCode::kFormat,
                     {"general.alignment", "power of two"});
  expect_parse_error(with_alignment(Bytes().kv_str("general.alignment", "32")), ErrorCode::kFormat,
                     {"general.alignment", "string"});
  const auto ok = with_alignment(Bytes().kv_u32("general.alignment", 64));
  const GgufFile f = GgufFile::parse(ok, "aligned");
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
}

TEST(GgufBadInput, TensorShapes) {
  expect_parse_error(file_with_tensor({2, 2, 2, 2, 2}), ErrorCode::kFormat,
                     {"tensor 'w'", "n_dims 5"});
  expect_parse_error(file_with_tensor({}), ErrorCode::kFormat, {"tensor 'w'", "n_dims 0"});
  expect_parse_error(file_with_tensor({32, 0}), ErrorCode::kFormat,
                     {"tensor 'w'", "dimension 1 is 0"});
  expect_parse_error(file_with_tensor({1ull << 63}), ErrorCode::kFormat,
                     {"tensor 'w'", "dimension 0 is 9223372036854775808"});
  // Products that overflow 64 bits, or land above INT64_MAX, or whose byte size overflows.
  expect_parse_error(file_with_tensor({1ull << 32, 1ull << 32}), ErrorCode::kOutOfRange,
                     {"tensor 'w'", "overflow"});
  expect_parse_error(file_with_tensor({1ull << 31, 1ull << 32}), ErrorCode::kFormat,
                     {"tensor 'w'", "element count"});
  expect_parse_error(file_with_tensor({1ull << 62}), ErrorCode::kOutOfRange,
                     {"tensor 'w'", "overflow"});
  expect_parse_error(file_with_tensor({33}, kQ4_0), ErrorCode::kFormat,
                     {"tensor 'w'", "row length 33", "Q4_0"});
}

TEST(GgufBadInput, TensorTypesAndNames) {
  expect_parse_error(file_with_tensor({32}, 99), ErrorCode::kUnsupported,
                     {"hostile.gguf", "tensor 'w'", "type id 99"});
  expect_parse_error(file_with_tensor({32}, 5), ErrorCode::kUnsupported, {"type id 5"});
  Bytes twice;
  twice.gguf_preamble(2, 0).tensor_info("w", {8}, kF32, 0).tensor_info("w", {8}, kF32, 32);
  expect_parse_error(twice.pad_to(32).zeros(64).data, ErrorCode::kFormat,
                     {"tensor 'w'", "duplicate tensor name"});
  Bytes unnamed;
  unnamed.gguf_preamble(1, 0).tensor_info("", {8}, kF32, 0);
  expect_parse_error(unnamed.pad_to(32).zeros(64).data, ErrorCode::kFormat,
                     {"tensor #0", "empty tensor name"});
}

TEST(GgufBadInput, TensorOffsets) {
  expect_parse_error(file_with_tensor({32, 2}, kF32, 4), ErrorCode::kFormat,
                     {"tensor 'w'", "data offset 4", "alignment 32"});
  expect_parse_error(file_with_tensor({32, 2}, kF32, 1024), ErrorCode::kFormat,
                     {"tensor 'w'", "beyond the end of the file"});
  expect_parse_error(file_with_tensor({32, 3}), ErrorCode::kFormat,
                     {"tensor 'w'", "beyond the end of the file"});  // 384 bytes of 256
  expect_parse_error(file_with_tensor({32, 2}, kF32, std::numeric_limits<uint64_t>::max() - 31),
                     ErrorCode::kOutOfRange, {"tensor 'w'", "overflow"});
}

// A small but varied valid file: every value type, arrays, several tensor types.
std::vector<uint8_t> small_valid_file() {
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_uint32("llama.block_count", 2);
  w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_int64("t.i64", -3);
  const std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "hello", "world"};
  w.add_string_array("tokenizer.ggml.tokens", tokens);
  const std::vector<float> scores = {0, 0, 0, -1.5f, -2.5f};
  w.add_float32_array("tokenizer.ggml.scores", scores);
  const std::vector<int32_t> types = {2, 3, 3, 1, 1};
  w.add_int32_array("tokenizer.ggml.token_type", types);
  static const std::vector<uint8_t> data(512, 0x11);
  w.add_tensor("token_embd.weight", DType::kF32, {8, 5}, data.data());
  w.add_tensor("blk.0.attn_q.weight", DType::kQ8_0, {32, 2}, data.data());
  w.add_tensor("output_norm.weight", DType::kF16, {8}, data.data());
  return w.to_bytes();
}

TEST(GgufBadInput, EveryTruncationOfASmallFileFails) {
  const auto bytes = small_valid_file();
  const GgufFile full = GgufFile::parse(bytes, "full");
  uint64_t data_end = 0;
  for (const TensorView& t : full.tensors()) {
    data_end = std::max<uint64_t>(
        data_end,
        static_cast<uint64_t>(static_cast<const uint8_t*>(t.data) - bytes.data()) + t.nbytes);
  }
  ASSERT_LT(data_end, bytes.size() + 1);
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::span<const uint8_t> prefix(bytes.data(), n);
    if (n < data_end) {
      EXPECT_THROW(GgufFile::parse(prefix, "prefix"), Error) << "prefix of " << n << " bytes";
    } else {
      // Only the zero padding after the last tensor is missing: still a complete file.
      EXPECT_NO_THROW(GgufFile::parse(prefix, "prefix")) << "prefix of " << n << " bytes";
    }
  }
}

TEST(GgufBadInput, RandomCorruptionNeverCrashes) {
  const auto original = small_valid_file();
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> value(0, 255);
  std::uniform_int_distribution<int> flips(1, 4);
  int parsed = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    auto bytes = original;
    // Corrupt mostly the header, where the structure lives.
    const size_t header_size = 400;
    for (int i = flips(rng); i > 0; --i) {
      const size_t p = trial % 2 ? position(rng) % header_size : position(rng);
      bytes[p] = static_cast<uint8_t>(value(rng));
    }
    try {
      const GgufFile f = GgufFile::parse(bytes, "corrupt");
      ++parsed;
      for (const TensorView& t : f.tensors()) {  // whatever parsed lies inside the bytes
        const auto* begin = static_cast<const uint8_t*>(t.data);
        ASSERT_GE(begin, bytes.data());
        ASSERT_LE(begin + t.nbytes, bytes.data() + bytes.size()) << "trial " << trial;
      }
    } catch (const Error&) {
    }
  }
  std::cout << "[ info ] " << parsed << " of 3000 corrupted files still parsed\n";
}

TEST(GgufBadInput, EveryTruncationOfStoriesHeaderFails) {
  const auto bytes = test::read_file(test::shared_path("models/stories260K.gguf"));
  ASSERT_GT(bytes.size(), 100000u);
  const GgufFile full = GgufFile::parse(bytes, "stories260K.gguf");
  const uint64_t header_region = full.data_offset() + 64;
  for (uint64_t n = 0; n < header_region; ++n) {
    EXPECT_THROW(GgufFile::parse(std::span<const uint8_t>(bytes.data(), n), "stories prefix"),
                 Error)
        << "prefix of " << n << " bytes";
  }
  // And a few cuts in the data section: the last tensors no longer fit.
  for (uint64_t n = header_region; n < bytes.size(); n += 40961) {
    EXPECT_THROW(GgufFile::parse(std::span<const uint8_t>(bytes.data(), n), "stories prefix"),
                 Error);
  }
}

}  // namespace
}  // namespace pocket
