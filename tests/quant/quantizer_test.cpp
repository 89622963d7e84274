// The quantizer end to end: a random model and the shared models in, GGUF files out that load
// and run; fallbacks for rows a group does not divide; bad inputs give clear errors and leave no
// file behind.
#include "quant/quantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "kernels/ref/dequant.h"
#include "quant/evaluator.h"
#include "quant_test_util.h"

namespace pocket::quant {
namespace {

using test::ScratchDir;
using test::shared_path;

const TensorView* find(const Model& m, const std::string& which) {
  const ModelWeights& w = m.weights();
  if (which == "down0") return w.layers[0].w_down;
  if (which == "q0") return w.layers[0].wq;
  if (which == "output") return w.output;
  return w.tok_embd;
}

double rel_rms(const TensorView& a, const TensorView& b) {
  std::vector<float> ra(static_cast<size_t>(a.ne[0])), rb(ra.size());
  double e = 0, r = 0;
  for (int64_t i = 0; i < a.n_rows(); ++i) {
    dequantize_row(a.type, a.row(i), ra.data(), a.ne[0]);
    dequantize_row(b.type, b.row(i), rb.data(), b.ne[0]);
    for (size_t j = 0; j < ra.size(); ++j) {
      e += (ra[j] - rb[j]) * (ra[j] - rb[j]);
      r += ra[j] * ra[j];
    }
  }
  return std::sqrt(e / r);
}

TEST(Quantizer, RandomModelEveryTypeLoadsAndIsClose) {
  ScratchDir dir;
  const std::string src = dir.file("random-f32.gguf");
  test::write_random_model(src);
  const LoadedModel ref = load_model(src);
  struct Case {
    int bits, group;
    Scheme scheme;
    bool fp8;
    DType expect;
    DType expect_down;  // rows of 192
    double max_rel;
  };
  const Case cases[] = {
      {8, 32, Scheme::kSym, false, DType::kQ8_0, DType::kQ8_0, 0.01},
      {8, 64, Scheme::kSym, false, DType::kPQ8_G64, DType::kPQ8_G64, 0.01},
      {8, 128, Scheme::kSym, false, DType::kPQ8_G128, DType::kPQ8_G64, 0.01},
      {4, 32, Scheme::kSym, false, DType::kQ4_0, DType::kQ4_0, 0.15},
      {4, 128, Scheme::kSym, false, DType::kPQ4_G128, DType::kPQ4_G64, 0.15},
      {4, 64, Scheme::kAsym, false, DType::kPQ4A_G64, DType::kPQ4A_G64, 0.15},
      {4, 128, Scheme::kAsym, false, DType::kPQ4A_G128, DType::kPQ4A_G64, 0.15},
      {8, 128, Scheme::kSym, true, DType::kPFP8_G128, DType::kF16, 0.05},
  };
  for (const Case& c : cases) {
    const std::string out = dir.file("q.gguf");
    Quantizer q(src, "", out, c.bits, c.group);
    q.options().scheme = c.scheme;
    q.options().fp8 = c.fp8;
    q.options().threads = 2;
    const QuantReport rep = q.run();
    const LoadedModel m = load_model(out);
    SCOPED_TRACE(std::string(dtype_name(c.expect)));
    EXPECT_EQ(find(*m.model, "q0")->type, c.expect);
    EXPECT_EQ(find(*m.model, "down0")->type, c.expect_down);
    EXPECT_LT(rel_rms(*find(*ref.model, "q0"), *find(*m.model, "q0")), c.max_rel);
    EXPECT_EQ(m.model->weights().layers[0].attn_norm->type, DType::kF32);
    EXPECT_EQ(rep.file_bytes, std::filesystem::file_size(out));
    // The report names the fallback and why.
    bool noted = c.expect_down == c.expect;
    for (const auto& t : rep.tensors) {
      if (t.name == "blk.0.ffn_down.weight" && !t.note.empty()) noted = true;
    }
    EXPECT_TRUE(noted);
  }
}

TEST(Quantizer, Stories260KRowsOf172FallBackToF16AndStillRun) {
  ScratchDir dir;
  const std::string out = dir.file("stories-q8.gguf");
  Quantizer q(shared_path("models/stories260K.gguf"), "", out, 8, 32);
  q.options().threads = 1;
  const QuantReport rep = q.run();
  bool found = false;
  for (const auto& t : rep.tensors) {
    if (t.name == "blk.0.ffn_down.weight") {
      EXPECT_EQ(t.type, DType::kF16);
      EXPECT_NE(t.note.find("172"), std::string::npos) << t.note;
      found = true;
    }
    if (t.name == "blk.0.ffn_gate.weight") {
      EXPECT_EQ(t.type, DType::kQ8_0);
    }
  }
  EXPECT_TRUE(found);
  // The quantized model agrees with the original on held-out text almost everywhere.
  const LoadedModel m = load_model(out);
  const LoadedModel ref = load_model(shared_path("models/stories260K.gguf"));
  EvalOptions eo;
  eo.text_path = dir.file("text.txt");
  {
    std::ofstream t(eo.text_path);
    for (int i = 0; i < 20; ++i)
      t << "Once upon a time there was a little girl named Lily. She liked to play.\n";
  }
  eo.ctx = 64;
  eo.threads = 1;
  const EvalResult r = evaluate(*&m, &ref, eo);
  EXPECT_LT(r.kl_mean, 0.01);
  EXPECT_GT(r.top1_agreement, 0.9);
}

TEST(Quantizer, GroupBiggerThanARowIsAnError) {
  ScratchDir dir;
  Quantizer q(shared_path("models/stories260K.gguf"), "", dir.file("x.gguf"), 4, 128);
  try {
    q.run();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("bigger than"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.n_files(), 0u);
}

void expect_error(Quantizer& q, ErrorCode code, const std::string& words, const ScratchDir& dir,
                  size_t files_before) {
  try {
    q.run();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.n_files(), files_before) << "a failed run left a file behind";
}

TEST(Quantizer, BadInputsGiveClearErrorsAndLeaveNoFile) {
  ScratchDir dir;
  const std::string src = dir.file("random-f32.gguf");
  test::write_random_model(src);
  const std::string out = dir.file("out.gguf");
  {
    Quantizer q(src, "", out, 4, 48);
    expect_error(q, ErrorCode::kInvalidArgument, "power of two", dir, 1);
  }
  {
    Quantizer q(src, "", out, 4, 256);
    expect_error(q, ErrorCode::kInvalidArgument, "not supported", dir, 1);
  }
  {
    Quantizer q(src, "", out, 5, 32);
    expect_error(q, ErrorCode::kInvalidArgument, "--bits must be 4 or 8", dir, 1);
  }
  {
    Quantizer q(src, "", out, 4, 32);
    q.options().calib_path = dir.file("missing.txt");
    expect_error(q, ErrorCode::kIo, "missing.txt", dir, 1);
  }
  {
    Quantizer q(src, "", dir.file("no/such/folder/out.gguf"), 4, 32);
    expect_error(q, ErrorCode::kIo, "does not exist", dir, 1);
  }
  {
    Quantizer q(src, "", dir.file(""), 4, 32);  // the folder itself
    expect_error(q, ErrorCode::kIo, "", dir, 1);
  }
  {
    // Fails after the model is loaded (calibration text without text): nothing is written.
    const std::string empty = dir.file("empty.txt");
    std::ofstream(empty) << "\n\n";
    Quantizer q(src, "", out, 4, 32);
    q.options().calib_path = empty;
    expect_error(q, ErrorCode::kInvalidArgument, "no text", dir, 2);
  }
  {
    Quantizer q(src, "", out, 4, 32);
    q.options().mix = "attn_q=9";
    expect_error(q, ErrorCode::kInvalidArgument, "unknown type", dir, 2);
  }
  {
    const std::string cfg = dir.file("cfg.json");
    std::ofstream(cfg) << R"({"bits": 4, "colour": "red"})";
    Quantizer q(src, cfg, out, 8, 32);
    expect_error(q, ErrorCode::kFormat, "colour", dir, 3);
  }
}

TEST(Quantizer, ConfigFileSetsOptions) {
  ScratchDir dir;
  const std::string src = dir.file("random-f32.gguf");
  test::write_random_model(src);
  const std::string cfg = dir.file("cfg.json");
  std::ofstream(cfg) << R"({"bits": 4, "group_size": 64, "scheme": "asym", "threads": 1})";
  Quantizer q(src, cfg, dir.file("out.gguf"), 8, 128);
  q.run();
  const LoadedModel m = load_model(dir.file("out.gguf"));
  EXPECT_EQ(m.model->weights().layers[0].wq->type, DType::kPQ4A_G64);
}

TEST(Quantizer, MixPolicyAndCalibrationRun) {
  ScratchDir dir;
  const std::string src = dir.file("random-f32.gguf");
  test::write_random_model(src);
  const std::string calib = dir.file("calib.txt");
  {
    std::ofstream t(calib);
    for (int i = 0; i < 8; ++i)
      t << "One day a little bird sang a song to the big tree " << i << "\n";
  }
  Quantizer q(src, "", dir.file("out.gguf"), 4, 128);
  q.options().mix = "edges8";
  q.options().calib_path = calib;
  q.options().calib_samples = 8;
  q.options().threads = 2;
  q.options().awq = AwqMode::kOn;  // with GPTQ: alphas judged by GPTQ's error
  const QuantReport rep = q.run();
  EXPECT_GT(rep.calib_tokens, 8);
  EXPECT_FALSE(rep.awq.empty());
  // The default (kAuto) runs AWQ only without GPTQ.
  Quantizer q2(src, "", dir.file("out2.gguf"), 4, 128);
  q2.options().calib_path = calib;
  q2.options().calib_samples = 8;
  q2.options().threads = 2;
  EXPECT_TRUE(q2.run().awq.empty());
  q2.options().gptq = false;
  EXPECT_FALSE(q2.run().awq.empty());
  const LoadedModel m = load_model(dir.file("out.gguf"));
  const ModelWeights& w = m.model->weights();
  EXPECT_EQ(w.tok_embd->type, DType::kPQ8_G128);
  EXPECT_EQ(w.output->type, DType::kPQ8_G128);
  EXPECT_EQ(w.layers[0].wv->type, DType::kPQ8_G128);
  EXPECT_EQ(w.layers[1].w_down->type, DType::kPQ8_G64);  // rows of 192
  EXPECT_EQ(w.layers[0].wq->type, DType::kPQ4_G128);
}

}  // namespace
}  // namespace pocket::quant
