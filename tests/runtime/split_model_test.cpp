// Split GGUF models (io/gguf_split.h) through load_model: the shared models cut into parts the way
// llama.cpp's gguf-split writes them (PREFIX-0000K-of-0000N.gguf, split.no / split.count /
// split.tensors.count in every part, all metadata in part 1, each part's tensors in its own data
// section) give bit-identical logits and the same tokenizer as the whole file; each broken set
// fails with an Error naming the file and what is wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "expect_error.h"
#include "io/gguf.h"
#include "io/gguf_split.h"
#include "io/gguf_writer.h"
#include "runtime/context.h"
#include "runtime/model_loader.h"
#include "shared_data.h"

namespace pocket {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStories = "models/stories260K.gguf";
constexpr const char* kBrown = "models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf";

// Writes the value of `key` again with the same GGUF type (the array types our models use).
void copy_key(const GgufFile& f, const std::string& key, GgufWriter& w) {
  using V = GgufValueType;
  switch (f.type_of(key)) {
    case V::kString:
      return w.add_string(key, *f.get_string(key));
    case V::kFloat32:
      return w.add_float32(key, static_cast<float>(*f.get_float(key)));
    case V::kFloat64:
      return w.add_float64(key, *f.get_float(key));
    case V::kBool:
      return w.add_bool(key, *f.get_bool(key));
    case V::kUint8:
      return w.add_uint8(key, static_cast<uint8_t>(*f.get_int(key)));
    case V::kInt8:
      return w.add_int8(key, static_cast<int8_t>(*f.get_int(key)));
    case V::kUint16:
      return w.add_uint16(key, static_cast<uint16_t>(*f.get_int(key)));
    case V::kInt16:
      return w.add_int16(key, static_cast<int16_t>(*f.get_int(key)));
    case V::kUint32:
      return w.add_uint32(key, static_cast<uint32_t>(*f.get_int(key)));
    case V::kInt32:
      return w.add_int32(key, static_cast<int32_t>(*f.get_int(key)));
    case V::kUint64:
      return w.add_uint64(key, static_cast<uint64_t>(*f.get_int(key)));
    case V::kInt64:
      return w.add_int64(key, *f.get_int(key));
    case V::kArray:
      break;
  }
  switch (f.array_element_type(key)) {
    case V::kString:
      return w.add_string_array(key, f.get_string_array(key));
    case V::kFloat32:
      return w.add_float32_array(key, f.get_float_array(key));
    case V::kInt32: {
      const std::vector<int64_t> v = f.get_int_array(key);
      return w.add_int32_array(key, std::vector<int32_t>(v.begin(), v.end()));
    }
    case V::kUint32: {
      const std::vector<int64_t> v = f.get_int_array(key);
      return w.add_uint32_array(key, std::vector<uint32_t>(v.begin(), v.end()));
    }
    case V::kInt64:
      return w.add_int64_array(key, f.get_int_array(key));
    default:
      fail(ErrorCode::kUnsupported, "copy_key: array type of '", key, "'");
  }
}

// One part of a split model to write; the split.* values default to what gguf-split writes.
struct PartPlan {
  std::vector<std::string> tensors;  // names in the source model, in this order
  std::optional<int64_t> split_no, split_count, tensors_count;
  bool omit_split_no = false;
  std::optional<std::string> arch;  // a general.architecture for a later part
};

// How gguf-split cuts a model: parts of consecutive tensors (file order). Our plans also move
// token_embd.weight (and output.weight) to the last part, so that the model's shape is read
// from a part other than the first.
std::vector<PartPlan> plan_split(const GgufFile& src, int n_parts) {
  std::vector<std::string> names, moved;
  for (const TensorView& t : src.tensors()) {
    (t.name == "token_embd.weight" || t.name == "output.weight" ? moved : names).push_back(t.name);
  }
  std::vector<PartPlan> plan(static_cast<size_t>(n_parts));
  for (size_t i = 0; i < names.size(); ++i) {
    plan[i * static_cast<size_t>(n_parts) / names.size()].tensors.push_back(names[i]);
  }
  for (const std::string& m : moved) plan.back().tensors.push_back(m);
  return plan;
}

// Writes the parts as PREFIX-0000K-of-0000N.gguf (N = plan.size()) and returns their paths. Part 1
// gets all of src's metadata first, as gguf-split does; every part gets the split.* keys.
std::vector<std::string> write_split(const GgufFile& src, const std::string& prefix,
                                     const std::vector<PartPlan>& plan) {
  int64_t total = 0;
  for (const PartPlan& p : plan) total += static_cast<int64_t>(p.tensors.size());
  const int n = static_cast<int>(plan.size());
  std::vector<std::string> paths;
  for (int k = 0; k < n; ++k) {
    const PartPlan& p = plan[static_cast<size_t>(k)];
    GgufWriter w(static_cast<uint32_t>(src.alignment()));
    if (k == 0) {
      for (const std::string& key : src.keys()) {
        if (key != kGgufAlignmentKey) copy_key(src, key, w);
      }
    }
    if (p.arch) w.add_string("general.architecture", *p.arch);
    if (!p.omit_split_no)
      w.add_uint16(kGgufSplitNoKey, static_cast<uint16_t>(p.split_no.value_or(k)));
    w.add_uint16(kGgufSplitCountKey, static_cast<uint16_t>(p.split_count.value_or(n)));
    w.add_int32(kGgufSplitTensorsCountKey, static_cast<int32_t>(p.tensors_count.value_or(total)));
    for (const std::string& name : p.tensors) {
      const TensorView* t = src.find_tensor(name);
      if (!t) fail(ErrorCode::kInvalidArgument, "write_split: no tensor '", name, "'");
      w.add_tensor(name, t->type, {t->ne.begin(), t->ne.begin() + t->n_dims}, t->data);
    }
    paths.push_back(gguf_split_path(prefix, k, n));
    w.write(paths.back());
  }
  return paths;
}

int32_t argmax(std::span<const float> v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// The logits of every position: the prompt, then `steps` greedy tokens one at a time.
std::vector<std::vector<float>> run(const LoadedModel& m, const std::string& prompt, int steps) {
  Context ctx(*m.model, {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2, .kv_type = KvType::kF32});
  const std::vector<int32_t> ids = m.tokenizer->encode(prompt, true);
  Batch b;
  for (size_t i = 0; i < ids.size(); ++i) b.add(ids[i], static_cast<int32_t>(i), 0, true);
  ctx.decode(b);
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto l = ctx.logits(static_cast<int>(i));
    out.emplace_back(l.begin(), l.end());
  }
  auto pos = static_cast<int32_t>(ids.size());
  for (int s = 0; s < steps; ++s, ++pos) {
    b.clear();
    b.add(argmax(out.back()), pos, 0, true);
    ctx.decode(b);
    const auto l = ctx.logits(0);
    out.emplace_back(l.begin(), l.end());
  }
  return out;
}

using test::expect_error;
class SplitModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stories_ = std::make_unique<GgufFile>(GgufFile::open(test::shared_path(kStories)));
    brown_ = std::make_unique<GgufFile>(GgufFile::open(test::shared_path(kBrown)));
  }
  static void TearDownTestSuite() {
    stories_.reset();
    brown_.reset();
  }
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("pocket-split-model-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
            "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string prefix(const std::string& name = "stories") const { return (dir_ / name).string(); }

  // stories260K in 3 parts, with `edit` applied to the plan first.
  std::vector<std::string> stories_split(
      const std::function<void(std::vector<PartPlan>&)>& edit = {}) {
    std::vector<PartPlan> plan = plan_split(*stories_, 3);
    if (edit) edit(plan);
    return write_split(*stories_, prefix(), plan);
  }
  int64_t stories_tensors() const { return static_cast<int64_t>(stories_->tensors().size()); }

  static void expect_same_outputs(const std::string& whole_path, const std::string& part1) {
    const LoadedModel whole = load_model(whole_path);
    const LoadedModel split = load_model(part1);
    EXPECT_EQ(split.model->source(), part1);
    EXPECT_EQ(split.model->spec().n_vocab, whole.model->spec().n_vocab);
    EXPECT_EQ(split.model->spec().tied_output, whole.model->spec().tied_output);
    EXPECT_EQ(split.model->n_params(), whole.model->n_params());
    EXPECT_EQ(split.model->weight_bytes(), whole.model->weight_bytes());
    const std::string text = "Once upon a time, there was a little dog. It said \"hi\" 123!";
    EXPECT_EQ(split.tokenizer->encode(text, true), whole.tokenizer->encode(text, true));
    EXPECT_EQ(split.tokenizer->chat_template(), whole.tokenizer->chat_template());
    EXPECT_EQ(split.bos_text, whole.bos_text);
    EXPECT_EQ(split.chat_format, whole.chat_format);
    const auto want = run(whole, "Once upon a time", 12);
    const auto got = run(split, "Once upon a time", 12);
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < want.size(); ++r) {
      ASSERT_EQ(got[r].size(), want[r].size());
      EXPECT_EQ(std::memcmp(got[r].data(), want[r].data(), want[r].size() * sizeof(float)), 0)
          << "logits of position " << r << " differ";
    }
  }

  static std::unique_ptr<GgufFile> stories_;
  static std::unique_ptr<GgufFile> brown_;
  fs::path dir_;
};

std::unique_ptr<GgufFile> SplitModel::stories_;
std::unique_ptr<GgufFile> SplitModel::brown_;

// --- split models load as one ---

TEST_F(SplitModel, LlamaInThreePartsGivesBitIdenticalLogits) {
  const auto paths = stories_split();
  const GgufModelFiles files = GgufModelFiles::open(paths[0]);
  ASSERT_EQ(files.parts().size(), 3u);
  EXPECT_EQ(files.n_tensors(), stories_->tensors().size());
  EXPECT_EQ(files.part_of("token_embd.weight"), 2);  // the vocabulary size comes from part 3
  EXPECT_EQ(files.part_of("blk.0.attn_q.weight"), 0);
  expect_same_outputs(test::shared_path(kStories), paths[0]);
}

TEST_F(SplitModel, Qwen2InTwoPartsGivesBitIdenticalLogits) {
  const auto paths = write_split(*brown_, prefix("brown"), plan_split(*brown_, 2));
  const GgufModelFiles files = GgufModelFiles::open(paths[0]);
  EXPECT_EQ(files.part_of("output.weight"), 1);
  expect_same_outputs(test::shared_path(kBrown), paths[0]);
}

TEST_F(SplitModel, OnePartSplitAndPlainFileLoadAsBefore) {
  const auto paths = write_split(*stories_, prefix(), plan_split(*stories_, 1));
  EXPECT_EQ(paths[0], prefix() + "-00001-of-00001.gguf");
  expect_same_outputs(test::shared_path(kStories), paths[0]);
  EXPECT_EQ(load_model(test::shared_path(kStories)).model->source(), test::shared_path(kStories));
}

TEST_F(SplitModel, TokenizerLoadsFromPartOne) {
  const auto paths = stories_split();
  const auto tok = load_tokenizer(paths[0]);
  EXPECT_EQ(tok->encode("Once upon a time", true),
            load_tokenizer(test::shared_path(kStories))->encode("Once upon a time", true));
}

// --- broken sets: one error each, before any tensor is used ---

TEST_F(SplitModel, MissingPartNamesTheExpectedPath) {
  const auto paths = stories_split();
  fs::remove(paths[1]);
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kIo,
               {paths[0], "part 2 of 3", paths[1], "does not exist"});
}

TEST_F(SplitModel, LaterPartIsRefusedNamingPartOne) {
  const auto paths = stories_split();
  for (const std::string& p : {paths[1], paths[2]}) {
    expect_error([&] { load_model(p); }, ErrorCode::kInvalidArgument,
                 {p, "of 3", "open its first part", paths[0]});
    expect_error([&] { load_tokenizer(p); }, ErrorCode::kInvalidArgument, {p, paths[0]});
  }
}

TEST_F(SplitModel, SplitCountDifferingFromPartOne) {
  const auto paths = stories_split([](auto& plan) { plan[2].split_count = 4; });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[2], "part 3 of 3", "split.count 4", "part 1 has 3"});
}

TEST_F(SplitModel, TensorsCountDifferingFromPartOne) {
  const int64_t n = stories_tensors();
  const auto paths = stories_split([n](auto& plan) { plan[1].tensors_count = n + 5; });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[1], "split.tensors.count " + std::to_string(n + 5),
                "part 1 has " + std::to_string(n)});
}

TEST_F(SplitModel, SplitNoNotMatchingThePartsPlace) {
  // Parts 2 and 3 swapped by name: each file's split.no disagrees with its name.
  const auto paths = stories_split([](auto& plan) {
    plan[1].split_no = 2;
    plan[2].split_no = 1;
  });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[1], "split.no 2", "its name makes it part 2 of 3 (split.no 1)"});
}

TEST_F(SplitModel, PartWithoutSplitKeys) {
  const auto paths = stories_split([](auto& plan) { plan[1].omit_split_no = true; });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat, {paths[1], "split.no"});
}

TEST_F(SplitModel, TensorInTwoParts) {
  std::vector<PartPlan> plan = plan_split(*stories_, 3);
  const std::string dup = plan[0].tensors.front();
  plan[1].tensors.push_back(dup);
  // Every part counts the copy, so that only the duplicate is wrong.
  for (auto& p : plan) p.tensors_count = stories_tensors() + 1;
  const auto paths = write_split(*stories_, prefix(), plan);
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {"tensor '" + dup + "'", paths[0], paths[1]});
}

TEST_F(SplitModel, TotalTensorsDifferingFromSplitTensorsCount) {
  const int64_t n = stories_tensors();
  // Every part agrees on a count the parts do not add up to (a tensor lost).
  const auto paths = stories_split([n](auto& plan) {
    plan[1].tensors.pop_back();
    for (auto& p : plan) p.tensors_count = n;
  });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[0], "3 parts hold " + std::to_string(n - 1) + " tensors",
                "split.tensors.count is " + std::to_string(n)});
}

TEST_F(SplitModel, ArchitectureDifferingFromPartOne) {
  const auto paths = stories_split([](auto& plan) { plan[2].arch = "qwen2"; });
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[2], "general.architecture 'qwen2'", "part 1 has 'llama'"});
}

TEST_F(SplitModel, PartOfAnotherModel) {
  // brown-qwen2's part 2 of 3 copied over stories260K's: caught by the split keys.
  const auto paths = stories_split();
  const auto brown = write_split(*brown_, prefix("brown"), plan_split(*brown_, 3));
  fs::copy_file(brown[1], paths[1], fs::copy_options::overwrite_existing);
  expect_error([&] { load_model(paths[0]); }, ErrorCode::kFormat,
               {paths[1], "split.tensors.count", "another model"});
}

TEST_F(SplitModel, RenamedPartOneCannotFindTheOthers) {
  const auto paths = stories_split();
  const std::string renamed = prefix() + ".gguf";
  fs::rename(paths[0], renamed);
  expect_error([&] { load_model(renamed); }, ErrorCode::kInvalidArgument,
               {renamed, "part 1", "-00001-of-00003.gguf"});
}

}  // namespace
}  // namespace pocket
