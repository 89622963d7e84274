// The real model files of ../shared parse, with the metadata and tensors we know they hold.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/half.h"
#include "io/gguf.h"
#include "kernels/ref/dequant.h"
#include "shared_data.h"

namespace pocket {
namespace {

std::vector<float> as_floats(const TensorView& t) {
  std::vector<float> out(static_cast<size_t>(t.n_elements()));
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    dequantize_row(t.type, t.row(r), out.data() + r * t.ne[0], t.ne[0]);
  }
  return out;
}

TEST(GgufRealModels, Stories260K) {
  const GgufFile f = GgufFile::open(test::shared_path("models/stories260K.gguf"));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(f.get_int("llama.block_count"), 5);
  EXPECT_EQ(f.get_int("llama.embedding_length"), 64);
  EXPECT_EQ(f.get_int("llama.feed_forward_length"), 172);
  EXPECT_EQ(f.get_int("llama.attention.head_count"), 8);
  EXPECT_EQ(f.get_int("llama.attention.head_count_kv"), 4);
  EXPECT_EQ(f.get_int("llama.context_length"), 2048);
  EXPECT_EQ(f.get_int("llama.rope.dimension_count"), 8);
  EXPECT_NEAR(*f.get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5, 1e-10);
  EXPECT_EQ(f.get_int("tokenizer.ggml.bos_token_id"), 1);
  EXPECT_EQ(f.get_int("tokenizer.ggml.padding_token_id"), 4294967295ll);  // uint32 -1
  EXPECT_EQ(f.keys().size(), 19u);
  EXPECT_EQ(f.keys().front(), "tokenizer.ggml.tokens");

  const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 512u);
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(tokens[2], "</s>");
  EXPECT_EQ(f.get_float_array("tokenizer.ggml.scores").size(), 512u);
  const auto token_types = f.get_int_array("tokenizer.ggml.token_type");
  ASSERT_EQ(token_types.size(), 512u);
  EXPECT_EQ(token_types[0], 2);
  EXPECT_EQ(token_types[1], 3);
  EXPECT_EQ(f.array_element_type("tokenizer.ggml.token_type"), GgufValueType::kInt32);

  ASSERT_EQ(f.tensors().size(), 48u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset(), 14176u);  // header ends at 14152, aligned up to 32
  const TensorView* embd = f.find_tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->type, DType::kF32);
  EXPECT_EQ(embd->n_dims, 2u);
  EXPECT_EQ(embd->ne[0], 64);
  EXPECT_EQ(embd->ne[1], 512);
  const TensorView* down = f.find_tensor("blk.4.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->ne[0], 172);
  EXPECT_EQ(down->ne[1], 64);
  const TensorView* norm = f.find_tensor("output_norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->n_dims, 1u);
  EXPECT_EQ(norm->ne[0], 64);
  // Trained weights: finite, not all zero.
  const auto values = as_floats(*embd);
  double sum_sq = 0;
  for (float v : values) {
    ASSERT_TRUE(std::isfinite(v));
    sum_sq += static_cast<double>(v) * v;
  }
  EXPECT_GT(sum_sq, 1.0);
}

TEST(GgufRealModels, BrownQwen2F32AndF16) {
  const GgufFile f32 =
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"));
  const GgufFile f16 =
      GgufFile::open(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf"));
  for (const GgufFile* f : {&f32, &f16}) {
    SCOPED_TRACE(f->name());
    EXPECT_EQ(f->get_string("general.architecture"), "qwen2");
    EXPECT_EQ(f->get_int("qwen2.block_count"), 6);
    EXPECT_EQ(f->get_int("qwen2.embedding_length"), 256);
    EXPECT_EQ(f->get_int("qwen2.feed_forward_length"), 768);
    EXPECT_EQ(f->get_int("qwen2.attention.head_count"), 4);
    EXPECT_EQ(f->get_int("qwen2.attention.head_count_kv"), 2);
    EXPECT_EQ(f->get_float("qwen2.rope.freq_base"), 10000.0);
    EXPECT_EQ(f->get_bool("tokenizer.ggml.add_bos_token"), true);
    EXPECT_EQ(f->get_string_array("tokenizer.ggml.tokens").size(), 4096u);
    EXPECT_EQ(f->tensors().size(), 75u);
    const TensorView* embd = f->find_tensor("token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->ne[0], 256);
    EXPECT_EQ(embd->ne[1], 4096);
    const TensorView* bias = f->find_tensor("blk.5.attn_k.bias");
    ASSERT_NE(bias, nullptr);
    EXPECT_EQ(bias->type, DType::kF32);
    EXPECT_EQ(bias->ne[0], 128);
  }
  EXPECT_EQ(f32.find_tensor("blk.0.ffn_up.weight")->type, DType::kF32);
  EXPECT_EQ(f16.find_tensor("blk.0.ffn_up.weight")->type, DType::kF16);

  // The F16 file holds the F32 weights rounded to nearest even.
  for (const char* name : {"token_embd.weight", "blk.2.ffn_down.weight", "output.weight"}) {
    const auto wide = as_floats(*f32.find_tensor(name));
    const auto narrow = as_floats(*f16.find_tensor(name));
    ASSERT_EQ(wide.size(), narrow.size());
    for (size_t i = 0; i < wide.size(); ++i) {
      ASSERT_EQ(fp16_to_fp32(fp32_to_fp16(wide[i])), narrow[i]) << name << " value " << i;
    }
  }
}

}  // namespace
}  // namespace pocket
