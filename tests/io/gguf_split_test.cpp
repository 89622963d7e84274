// Split GGUF models (io/gguf_split.h): llama.cpp's part names, the split.* keys, and
// GgufModelFiles over small hand-made parts. Whole models split by gguf-split's rules, and every
// load error through load_model, are in tests/runtime/split_model_test.cpp.
#include "io/gguf_split.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <vector>

#include "io/gguf_writer.h"
#include "io_test_util.h"

namespace pocket {
namespace {

using test::expect_error;
using test::TempDir;

TEST(GgufSplitNames, PathsFollowLlamaCppsPattern) {
  EXPECT_EQ(gguf_split_path("/m/model", 0, 3), "/m/model-00001-of-00003.gguf");
  EXPECT_EQ(gguf_split_path("x", 11, 12), "x-00012-of-00012.gguf");
  EXPECT_EQ(gguf_split_path("x", 0, 65535), "x-00001-of-65535.gguf");
}

TEST(GgufSplitNames, PrefixIsTheNameWithoutThePartSuffix) {
  EXPECT_EQ(gguf_split_prefix("/m/model-00001-of-00003.gguf", 0, 3), "/m/model");
  EXPECT_EQ(gguf_split_prefix("/m/model-00002-of-00003.gguf", 1, 3), "/m/model");
  // Another part's number or count, another extension, or nothing before the suffix.
  EXPECT_FALSE(gguf_split_prefix("/m/model-00002-of-00003.gguf", 0, 3));
  EXPECT_FALSE(gguf_split_prefix("/m/model-00001-of-00003.gguf", 0, 4));
  EXPECT_FALSE(gguf_split_prefix("/m/model-00001-of-00003.bin", 0, 3));
  EXPECT_FALSE(gguf_split_prefix("-00001-of-00003.gguf", 0, 3));
  EXPECT_FALSE(gguf_split_prefix("/m/model.gguf", 0, 3));
}

// A small file: one F32 tensor per name, its values all `fill`, plus the given split keys.
GgufWriter part_writer(const std::vector<std::string>& tensors, float fill,
                       std::deque<std::vector<float>>& storage) {
  GgufWriter w;
  for (const std::string& name : tensors) {
    storage.emplace_back(8, fill);
    w.add_tensor(name, DType::kF32, {8}, storage.back().data());
  }
  return w;
}

void add_split_keys(GgufWriter& w, int no, int count, int tensors) {
  w.add_uint16(kGgufSplitNoKey, static_cast<uint16_t>(no));
  w.add_uint16(kGgufSplitCountKey, static_cast<uint16_t>(count));
  w.add_int32(kGgufSplitTensorsCountKey, tensors);
}

TEST(GgufSplitInfo, OrdinaryFilesHaveNone) {
  std::deque<std::vector<float>> storage;
  GgufWriter plain = part_writer({"a"}, 1.0f, storage);
  plain.add_string("general.architecture", "llama");
  const auto plain_bytes = plain.to_bytes();
  EXPECT_FALSE(gguf_split_info(GgufFile::parse(plain_bytes, "plain")));

  // What gguf-split --merge leaves (split.count 0), and a one-part split: ordinary files.
  for (int count : {0, 1}) {
    GgufWriter w = part_writer({"a"}, 1.0f, storage);
    add_split_keys(w, 0, count, 1);
    const auto bytes = w.to_bytes();
    EXPECT_FALSE(gguf_split_info(GgufFile::parse(bytes, "one"))) << count;
  }
}

TEST(GgufSplitInfo, ReadsAndChecksTheKeys) {
  std::deque<std::vector<float>> storage;
  GgufWriter w = part_writer({"a"}, 1.0f, storage);
  add_split_keys(w, 1, 3, 7);
  const auto bytes = w.to_bytes();
  const auto info = gguf_split_info(GgufFile::parse(bytes, "p2"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->split_no, 1);
  EXPECT_EQ(info->split_count, 3);
  EXPECT_EQ(info->tensors_count, 7);

  GgufWriter bad = part_writer({"a"}, 1.0f, storage);
  add_split_keys(bad, 3, 3, 7);
  const auto bad_bytes = bad.to_bytes();
  expect_error([&] { gguf_split_info(GgufFile::parse(bad_bytes, "bad.gguf")); }, ErrorCode::kFormat,
               {"bad.gguf", "split.no", "3", "0..2"});

  GgufWriter no_count = part_writer({"a"}, 1.0f, storage);
  no_count.add_uint16(kGgufSplitNoKey, 0);
  no_count.add_uint16(kGgufSplitCountKey, 2);
  const auto no_count_bytes = no_count.to_bytes();
  expect_error([&] { gguf_split_info(GgufFile::parse(no_count_bytes, "nc.gguf")); },
               ErrorCode::kFormat, {"nc.gguf", "split.tensors.count"});
}

class GgufSplitFiles : public ::testing::Test {
 protected:
  // prefix-00001-of-00002.gguf holds a, b (and the metadata); -00002- holds c.
  void write_parts() {
    GgufWriter p1 = part_writer({"a", "b"}, 1.0f, storage_);
    p1.add_string("general.architecture", "llama");
    add_split_keys(p1, 0, 2, 3);
    p1.write(path(0));
    GgufWriter p2 = part_writer({"c"}, 2.0f, storage_);
    add_split_keys(p2, 1, 2, 3);
    p2.write(path(1));
  }
  std::string path(int k) const { return gguf_split_path(dir_.file("m"), k, 2); }

  TempDir dir_;
  std::deque<std::vector<float>> storage_;
};

TEST_F(GgufSplitFiles, OpensEveryPartAndFindsTensorsInAny) {
  write_parts();
  const GgufModelFiles files = GgufModelFiles::open(path(0));
  EXPECT_TRUE(files.is_split());
  ASSERT_EQ(files.parts().size(), 2u);
  EXPECT_EQ(files.name(), path(0));
  EXPECT_EQ(files.parts()[1]->name(), path(1));
  EXPECT_EQ(files.metadata().get_string("general.architecture"), "llama");
  EXPECT_EQ(files.n_tensors(), 3u);
  EXPECT_EQ(files.part_of("a"), 0);
  EXPECT_EQ(files.part_of("c"), 1);
  EXPECT_EQ(files.part_of("d"), -1);
  EXPECT_EQ(files.find_tensor("d"), nullptr);
  // Each tensor's data is read from its own part.
  const TensorView* c = files.find_tensor("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(static_cast<const float*>(c->data)[7], 2.0f);
  EXPECT_EQ(static_cast<const float*>(files.find_tensor("b")->data)[0], 1.0f);
}

TEST_F(GgufSplitFiles, AnOrdinaryFileIsOnePart) {
  GgufWriter w = part_writer({"a"}, 3.0f, storage_);
  w.write(dir_.file("plain.gguf"));
  const GgufModelFiles files = GgufModelFiles::open(dir_.file("plain.gguf"));
  EXPECT_FALSE(files.is_split());
  EXPECT_EQ(files.n_tensors(), 1u);
  EXPECT_EQ(files.part_of("a"), 0);
  EXPECT_EQ(files.find_tensor("a"), files.metadata().find_tensor("a"));
}

TEST_F(GgufSplitFiles, LaterPartsAndSingleSplitFilesAreRefused) {
  write_parts();
  expect_error([&] { GgufModelFiles::open(path(1)); }, ErrorCode::kInvalidArgument,
               {path(1), "part 2 of 2", path(0)});
  expect_error([&] { require_first_split_part(GgufFile::open(path(1))); },
               ErrorCode::kInvalidArgument, {path(1), path(0)});
  require_first_split_part(GgufFile::open(path(0)));  // part 1 is fine
  // A part handed over as one parsed file cannot find its siblings: refused, not half-loaded.
  expect_error(
      [&] { GgufModelFiles::single(std::make_shared<const GgufFile>(GgufFile::open(path(0)))); },
      ErrorCode::kInvalidArgument, {path(0), "part 1", "2 parts"});
}

TEST_F(GgufSplitFiles, MissingPartIsNamed) {
  write_parts();
  std::filesystem::remove(path(1));
  expect_error([&] { GgufModelFiles::open(path(0)); }, ErrorCode::kIo,
               {path(0), "part 2 of 2", path(1), "does not exist"});
}

}  // namespace
}  // namespace pocket
