// GgufWriter -> GgufFile round trips: every value type, arrays, tensors from pointers and from
// callbacks, alignment, and the write-to-temporary-then-rename rule.
#include "io/gguf_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>

#include "core/half.h"
#include "io/gguf.h"
#include "io_test_util.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

using test::expect_error;
using test::TempDir;

GgufWriter writer_with_every_value_type() {
  GgufWriter w;
  w.add_uint8("t.u8", 200);
  w.add_int8("t.i8", -100);
  w.add_uint16("t.u16", 60000);
  w.add_int16("t.i16", -30000);
  w.add_uint32("t.u32", 4000000000u);
  w.add_int32("t.i32", -2000000000);
  w.add_uint64("t.u64", 1ull << 40);
  w.add_uint64("t.u64_huge", std::numeric_limits<uint64_t>::max());
  w.add_int64("t.i64", -(1ll << 50));
  w.add_float32("t.f32", 0.25f);
  w.add_float64("t.f64", 1e-300);
  w.add_bool("t.true", true);
  w.add_bool("t.false", false);
  w.add_string("general.architecture", "llama");
  w.add_string("t.empty_string", "");
  const std::vector<std::string> tokens = {"<unk>", "", "hello", std::string("a\0b", 3)};
  w.add_string_array("t.strings", tokens);
  const std::vector<int32_t> ints = {3, -1, 7};
  w.add_int32_array("t.i32s", ints);
  const std::vector<uint32_t> uints = {1, 4294967295u};
  w.add_uint32_array("t.u32s", uints);
  const std::vector<int64_t> longs = {-5, 1ll << 60};
  w.add_int64_array("t.i64s", longs);
  const std::vector<float> floats = {0.5f, -2.0f, 1e30f};
  w.add_float32_array("t.f32s", floats);
  const bool bools[3] = {true, false, true};
  w.add_bool_array("t.bools", bools);
  w.add_float32_array("t.empty_floats", {});
  return w;
}

TEST(GgufWriter, EveryValueTypeRoundTrips) {
  const auto bytes = writer_with_every_value_type().to_bytes();
  const GgufFile f = GgufFile::parse(bytes, "values");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_int("t.u8"), 200);
  EXPECT_EQ(f.get_int("t.i8"), -100);
  EXPECT_EQ(f.get_int("t.u16"), 60000);
  EXPECT_EQ(f.get_int("t.i16"), -30000);
  EXPECT_EQ(f.get_int("t.u32"), 4000000000ll);
  EXPECT_EQ(f.get_int("t.i32"), -2000000000);
  EXPECT_EQ(f.get_int("t.u64"), 1ll << 40);
  EXPECT_EQ(f.get_int("t.i64"), -(1ll << 50));
  EXPECT_EQ(f.get_float("t.f32"), 0.25);
  EXPECT_EQ(f.get_float("t.f64"), 1e-300);
  EXPECT_EQ(f.get_float("t.u32"), 4e9);  // integers convert to float
  EXPECT_EQ(f.get_bool("t.true"), true);
  EXPECT_EQ(f.get_bool("t.false"), false);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_string("t.empty_string"), "");
  EXPECT_EQ(f.get_string_array("t.strings"),
            (std::vector<std::string>{"<unk>", "", "hello", std::string("a\0b", 3)}));
  EXPECT_EQ(f.string_array_view("t.strings")[2], "hello");
  EXPECT_EQ(f.get_int_array("t.i32s"), (std::vector<int64_t>{3, -1, 7}));
  EXPECT_EQ(f.get_int_array("t.u32s"), (std::vector<int64_t>{1, 4294967295ll}));
  EXPECT_EQ(f.get_int_array("t.i64s"), (std::vector<int64_t>{-5, 1ll << 60}));
  EXPECT_EQ(f.get_float_array("t.f32s"), (std::vector<float>{0.5f, -2.0f, 1e30f}));
  EXPECT_EQ(f.get_float_array("t.i32s"), (std::vector<float>{3.0f, -1.0f, 7.0f}));
  EXPECT_TRUE(f.get_float_array("t.empty_floats").empty());
  EXPECT_EQ(f.array_element_type("t.bools"), GgufValueType::kBool);
  EXPECT_EQ(f.array_element_type("t.strings"), GgufValueType::kString);
  EXPECT_EQ(f.type_of("t.i16"), GgufValueType::kInt16);
  EXPECT_EQ(f.type_of("t.strings"), GgufValueType::kArray);
  EXPECT_TRUE(f.tensors().empty());

  const std::vector<std::string> keys = f.keys();
  ASSERT_EQ(keys.size(), 22u);
  EXPECT_EQ(keys.front(), "t.u8");  // file order
  EXPECT_EQ(keys.back(), "t.empty_floats");
}

TEST(GgufWriter, AbsentKeysAndWrongTypes) {
  const auto bytes = writer_with_every_value_type().to_bytes();
  const GgufFile f = GgufFile::parse(bytes, "values.gguf");
  EXPECT_FALSE(f.has("nope"));
  EXPECT_EQ(f.get_int("nope"), std::nullopt);
  EXPECT_EQ(f.get_string("nope"), std::nullopt);
  EXPECT_TRUE(f.get_string_array("nope").empty());
  EXPECT_TRUE(f.get_int_array("nope").empty());
  expect_error([&] { f.type_of("nope"); }, ErrorCode::kInvalidArgument, {"nope"});
  expect_error([&] { f.get_int("general.architecture"); }, ErrorCode::kFormat,
               {"values.gguf", "general.architecture", "string", "integer"});
  expect_error([&] { f.get_string("t.u32"); }, ErrorCode::kFormat, {"t.u32", "uint32", "string"});
  expect_error([&] { f.get_bool("t.u8"); }, ErrorCode::kFormat, {"t.u8", "uint8", "bool"});
  expect_error([&] { f.get_float("t.strings"); }, ErrorCode::kFormat,
               {"t.strings", "array of string", "number"});
  expect_error([&] { f.get_int("t.u64_huge"); }, ErrorCode::kOutOfRange, {"t.u64_huge"});
  expect_error([&] { f.get_string_array("t.f32s"); }, ErrorCode::kFormat,
               {"t.f32s", "array of float32", "array of string"});
  expect_error([&] { f.get_int_array("t.f32s"); }, ErrorCode::kFormat, {"t.f32s"});
  expect_error([&] { f.get_int_array("t.bools"); }, ErrorCode::kFormat, {"array of bool"});
  expect_error([&] { f.get_string_array("t.u8"); }, ErrorCode::kFormat, {"t.u8", "uint8"});
  expect_error([&] { f.array_element_type("t.u8"); }, ErrorCode::kFormat, {"t.u8"});
}

TEST(GgufWriter, TensorsRoundTripThroughAFile) {
  TempDir dir;
  const std::string path = dir.file("model.gguf");
  std::vector<float> f32(3 * 5);
  std::iota(f32.begin(), f32.end(), -7.0f);
  std::vector<float> to_quantize(64);
  for (size_t i = 0; i < to_quantize.size(); ++i) to_quantize[i] = static_cast<float>(i % 9) - 4;
  std::vector<uint8_t> q8(row_bytes(DType::kQ8_0, 64));
  quantize_row_q8_0(to_quantize.data(), q8.data(), 64);

  GgufWriter w;
  w.add_string("general.architecture", "test");
  w.add_tensor("f32", DType::kF32, {5, 3}, f32.data());
  w.add_tensor("q8", DType::kQ8_0, {64}, q8.data());
  // A tensor produced piece by piece (as a converter streaming a big file would).
  w.add_tensor("f16", DType::kF16, {4, 2, 1, 2}, [](const GgufWriter::ByteSink& sink) {
    for (int i = 0; i < 16; ++i) {
      const uint16_t h = fp32_to_fp16(static_cast<float>(i));
      sink(&h, 2);
    }
  });
  w.write(path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const GgufFile f = GgufFile::open(path);
  EXPECT_EQ(f.name(), path);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  ASSERT_EQ(f.tensors().size(), 3u);
  const TensorView* a = f.find_tensor("f32");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->n_dims, 2u);
  EXPECT_EQ(a->ne[0], 5);
  EXPECT_EQ(a->ne[1], 3);
  EXPECT_EQ(a->nbytes, 60u);
  std::vector<float> back(15);
  dequantize_row(DType::kF32, a->data, back.data(), 15);
  EXPECT_EQ(back, f32);

  const TensorView* q = f.find_tensor("q8");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->type, DType::kQ8_0);
  EXPECT_EQ(std::vector<uint8_t>(static_cast<const uint8_t*>(q->data),
                                 static_cast<const uint8_t*>(q->data) + q->nbytes),
            q8);

  const TensorView* h = f.find_tensor("f16");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->n_dims, 4u);
  EXPECT_EQ(h->ne, (std::array<int64_t, 4>{4, 2, 1, 2}));
  std::vector<float> halves(16);
  dequantize_row(DType::kF16, h->data, halves.data(), 16);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(halves[i], static_cast<float>(i));
  for (const TensorView& t : f.tensors()) {
    const auto offset = static_cast<const uint8_t*>(t.data) - static_cast<const uint8_t*>(a->data);
    EXPECT_EQ(offset % 32, 0) << t.name;
  }
  EXPECT_EQ(f.find_tensor("missing"), nullptr);

  // Copies share the mapping: the views outlive the object they came from.
  auto owner = std::make_unique<GgufFile>(GgufFile::open(path));
  const GgufFile survivor = *owner;
  owner.reset();
  dequantize_row(DType::kF32, survivor.find_tensor("f32")->data, back.data(), 15);
  EXPECT_EQ(back, f32);
  EXPECT_EQ(survivor.get_string("general.architecture"), "test");
}

TEST(GgufWriter, CustomAlignmentIsRecordedAndHonoured) {
  GgufWriter w(64);
  const std::vector<float> data(8, 1.0f);
  w.add_tensor("a", DType::kF32, {3}, data.data());
  w.add_tensor("b", DType::kF32, {5}, data.data());
  const auto bytes = w.to_bytes();
  const GgufFile f = GgufFile::parse(bytes, "aligned");
  EXPECT_EQ(f.get_int("general.alignment"), 64);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  EXPECT_EQ(static_cast<const uint8_t*>(f.tensors()[1].data) - bytes.data(),
            static_cast<ptrdiff_t>(f.data_offset() + 64));
  EXPECT_THROW(GgufWriter(48), Error);
}

TEST(GgufWriter, VersionTwoFilesReadTheSame) {
  GgufWriter w;
  w.add_uint32("llama.block_count", 5);
  auto bytes = w.to_bytes();
  bytes[4] = 2;  // version field: v2 has the same layout as v3
  const GgufFile f = GgufFile::parse(bytes, "v2");
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.get_int("llama.block_count"), 5);
}

TEST(GgufWriter, RefusesBadInput) {
  GgufWriter w;
  w.add_uint32("k", 1);
  expect_error([&] { w.add_string("k", "again"); }, ErrorCode::kInvalidArgument, {"'k'"});
  const float data[64] = {};
  w.add_tensor("t", DType::kF32, {4}, data);
  expect_error([&] { w.add_tensor("t", DType::kF32, {4}, data); }, ErrorCode::kInvalidArgument,
               {"'t'", "twice"});
  expect_error(
      [&] {
        w.add_tensor("u", DType::kF32, {2, 2, 2, 2, 2}, data);
      },
      ErrorCode::kInvalidArgument, {"'u'"});
  expect_error(
      [&] {
        w.add_tensor("u", DType::kF32, {4, 0}, data);
      },
      ErrorCode::kInvalidArgument, {"'u'"});
  expect_error([&] { w.add_tensor("u", DType::kQ4_0, {33}, data); }, ErrorCode::kInvalidArgument,
               {"'u'", "Q4_0"});
  expect_error([&] { w.add_uint32("general.alignment", 64); }, ErrorCode::kInvalidArgument,
               {"constructor"});
}

TEST(GgufWriter, FailedWriteLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.file("bad.gguf");
  GgufWriter short_filler;
  short_filler.add_tensor("t", DType::kF32, {8}, [](const GgufWriter::ByteSink& sink) {
    const float four[4] = {1, 2, 3, 4};
    sink(four, sizeof(four));  // 16 of 32 bytes
  });
  expect_error([&] { short_filler.write(path); }, ErrorCode::kInvalidArgument, {"'t'", "16", "32"});
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  GgufWriter long_filler;
  long_filler.add_tensor("t", DType::kF32, {2}, [](const GgufWriter::ByteSink& sink) {
    const float three[3] = {1, 2, 3};
    sink(three, sizeof(three));
  });
  EXPECT_THROW(long_filler.write(path), Error);
  EXPECT_FALSE(std::filesystem::exists(path));

  GgufWriter throwing;
  throwing.add_tensor("t", DType::kF32, {2}, [](const GgufWriter::ByteSink&) {
    throw Error(ErrorCode::kIo, "source tensor unreadable");
  });
  expect_error([&] { throwing.write(path); }, ErrorCode::kIo, {"unreadable"});
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  // An existing file under the final name survives a failed rewrite untouched.
  test::write_file(path, std::vector<uint8_t>{1, 2, 3});
  EXPECT_THROW(throwing.write(path), Error);
  EXPECT_EQ(test::read_file(path), (std::vector<uint8_t>{1, 2, 3}));

  GgufWriter fine;
  expect_error([&] { fine.write(dir.file("no/such/dir/x.gguf")); }, ErrorCode::kIo,
               {"no/such/dir"});
}

TEST(GgufWriter, BigVocabularyParsesQuickly) {
  // A 152k-entry vocabulary like Qwen2's: parsing must stay linear (milliseconds, not seconds).
  std::vector<std::string> vocab(152064);
  for (size_t i = 0; i < vocab.size(); ++i) vocab[i] = "tok" + std::to_string(i * 7919);
  GgufWriter w;
  w.add_string_array("tokenizer.ggml.tokens", vocab);
  const auto bytes = w.to_bytes();
  const auto start = std::chrono::steady_clock::now();
  const GgufFile f = GgufFile::parse(bytes, "vocab");
  const auto view = f.string_array_view("tokenizer.ggml.tokens");
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(view.size(), vocab.size());
  EXPECT_EQ(view[151999], vocab[151999]);
  std::cout << "[ info ] parsed a 152064-string array in " << ms << " ms\n";
  // A generous cap (sanitizer builds are slow): it only catches a quadratic regression.
  EXPECT_LT(ms, 3000.0);
}

}  // namespace
}  // namespace pocket
