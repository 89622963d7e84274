// End-to-end tests of the pocket binary on the shared models: what a user runs, checked by its
// output.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_command.h"

namespace pocket::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Json read_json(const std::string& path) {
  return Json::parse(read_text_file(path));
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("pocket_cli_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(Cli, RunDefaultModelStreamsTheGreedyStory) {
  const Json golden = read_json(shared_path("golden/stories260K/once_upon.json"));
  const auto r = run_pocket("run -p 'Once upon a time' -n 64 --temp 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Once upon a time" + golden["generated_text"].get<std::string>());
  EXPECT_NE(r.err.find("tok/s"), std::string::npos) << r.err;
}

// --dump-logits writes one row per evaluated position: the prompt's, then each generated
// token's; the rows from the last prompt position on must match the reference. With an f32 KV
// cache: the references' tolerance is for f32 KV (golden_logits_test covers the f16 default).
void check_dump(const std::string& model, const std::string& golden_json, float tol) {
  const Json g = read_json(shared_path(golden_json));
  const std::string dump = temp_path("logits.f32");
  const int n_gen = static_cast<int>(g["generated_tokens"].size());
  const auto r = run_pocket("run -m " + quote(shared_path(model)) + " -p " +
                            quote(g["prompt"].get<std::string>()) + " -n " + std::to_string(n_gen) +
                            " --temp 0 --kv-type f32 --dump-logits " + quote(dump));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<float> got = read_f32_file(dump);
  fs::remove(dump);
  const std::string logits_path = shared_path(golden_json.substr(0, golden_json.rfind('/') + 1) +
                                              g["logits_file"].get<std::string>());
  const std::vector<float> want = read_f32_file(logits_path);
  const size_t n_prompt = g["prompt_tokens"].size();
  const size_t n_rows = want.size() / (want.size() / (static_cast<size_t>(n_gen) + 1));
  const size_t nv = want.size() / n_rows;
  ASSERT_EQ(got.size(), (n_prompt + static_cast<size_t>(n_gen)) * nv) << "rows of " << nv;
  float worst = 0;
  for (size_t row = 0; row < n_rows; ++row) {
    for (size_t i = 0; i < nv; ++i) {
      worst = std::max(worst, std::fabs(got[(n_prompt - 1 + row) * nv + i] - want[row * nv + i]));
    }
  }
  EXPECT_LE(worst, tol) << model;
}

TEST(Cli, DumpLogitsMatchesGoldenStories) {
  check_dump("models/stories260K.gguf", "golden/stories260K/the_cat.json", 5e-3f);
}

TEST(Cli, DumpLogitsMatchesGoldenBrownQwen2GgufAndHf) {
  check_dump("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf", "golden/brown-qwen2/dev0.json",
             5e-3f);
  check_dump("models/brown-qwen2-7m/hf", "golden/brown-qwen2/dev0.json", 5e-3f);
}

// `pocket tokenize --jsonl` over every golden case, with and without BOS.
void check_tokenize(const std::string& model, const std::string& jsonl) {
  const std::string path = shared_path(jsonl);
  for (bool bos : {false, true}) {
    const auto r = run_pocket("tokenize -m " + quote(shared_path(model)) + " --jsonl " +
                              quote(path) + (bos ? " --bos" : ""));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream golden(read_text_file(path)), got(r.out);
    std::string g_line, o_line;
    int n = 0;
    while (std::getline(golden, g_line)) {
      if (g_line.empty()) continue;
      ASSERT_TRUE(std::getline(got, o_line)) << "missing output for case " << n;
      const Json want = Json::parse(g_line)[bos ? "ids_with_bos" : "ids"];
      EXPECT_EQ(Json::parse(o_line), want) << jsonl << " case " << n << (bos ? " with BOS" : "");
      ++n;
    }
    EXPECT_GT(n, 0);
  }
}

TEST(Cli, TokenizeJsonlMatchesEveryGoldenCase) {
  check_tokenize("tokenizers/deepseek-r1-distill-qwen", "golden/tokenizer/deepseek-r1.jsonl");
  check_tokenize("tokenizers/qwen3", "golden/tokenizer/qwen3.jsonl");
  check_tokenize("models/stories260K.gguf", "golden/tokenizer/stories260K.jsonl");
}

TEST(Cli, TokenizeReadsStdinAndFiles) {
  const std::string tok = quote(shared_path("tokenizers/deepseek-r1-distill-qwen"));
  auto r = run_pocket("tokenize -m " + tok, "Hello world");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[9707, 1879]\n");
  r = run_pocket("tokenize --bos -m " + tok, "Hello world");
  EXPECT_EQ(r.out, "[151646, 9707, 1879]\n");
  const std::string file = temp_path("text.txt");
  std::ofstream(file) << "Hello world";
  r = run_pocket("tokenize -m " + tok + " --file " + quote(file));
  EXPECT_EQ(r.out, "[9707, 1879]\n");
  fs::remove(file);
}

// A small qwen2 config.json (4 heads, 2 KV heads, the DeepSeek tokenizer's vocabulary) for synth.
std::string write_qwen2_config(const std::string& name, int hidden, int ffn, int layers) {
  const std::string path = temp_path(name);
  std::ofstream(path) << R"({"model_type": "qwen2", "hidden_size": )" << hidden
                      << R"(, "intermediate_size": )" << ffn
                      << R"(, "num_attention_heads": 4, "num_hidden_layers": )" << layers
                      << R"(, "num_key_value_heads": 2, "max_position_embeddings": 512,
    "rms_norm_eps": 1e-6, "rope_theta": 10000, "tie_word_embeddings": false,
    "vocab_size": 151936})";
  return path;
}

TEST(Cli, SynthWritesARunnableModelOfConfigShapes) {
  const std::string config = write_qwen2_config("config.json", 64, 96, 2);
  for (const char* type : {"f32", "f16", "bf16"}) {
    const std::string out = temp_path(std::string("synth-") + type + ".gguf");
    auto r =
        run_pocket("synth --config " + quote(config) + " --type " + type + " -o " + quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_pocket("run -m " + quote(out) + " -p Hello -n 8 --temp 0");
    EXPECT_EQ(r.exit_code, 0) << type << ": " << r.err;
    EXPECT_EQ(r.out.rfind("Hello", 0), 0u);
    r = run_pocket("info -m " + quote(out));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("qwen2: vocab 151936, hidden 64, layers 2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("deepseek-r1"), std::string::npos) << "chat template kept: " << r.out;
    fs::remove(out);
  }
  fs::remove(config);
}

TEST(Cli, InfoDescribesTheModel) {
  const auto r = run_pocket("info");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("llama: vocab 512, hidden 64, layers 5, heads 8 (KV 4, dim 8), ffn 172"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("SentencePiece BPE, 512 tokens"), std::string::npos) << r.out;
}

TEST(Cli, ChatShowsReasoningApartAndKeepsTurns) {
  const auto r = run_pocket("chat -m " + quote(shared_path("models/brown-qwen2-7m/hf")) +
                                " --chat-format deepseek-r1 -n 12 --temp 0",
                            "Hello there\nAnd again\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[reasoning] "), std::string::npos) << r.out;
  size_t turns = 0;
  for (size_t p = r.err.find("tok/s"); p != std::string::npos; p = r.err.find("tok/s", p + 1))
    ++turns;
  EXPECT_EQ(turns, 2u) << r.err;
}

TEST(Cli, BenchPrintsOneJsonObjectPerTest) {
  const auto r = run_pocket("bench -p 16 -n 8 -r 2 -t 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> tests;
  while (std::getline(lines, line)) {
    const Json j = Json::parse(line);
    for (const char* field : {"model", "size_bytes", "n_params", "test", "threads", "isa"}) {
      EXPECT_TRUE(j.contains(field)) << field << " in " << line;
    }
    tests.push_back(j["test"]);
    const std::string test = j["test"];
    if (test == "load" || test == "ttft16") {
      EXPECT_GT(j["seconds"].get<double>(), 0.0) << line;
      continue;
    }
    if (test == "peak_rss") {
      EXPECT_GT(j["bytes"].get<uint64_t>(), 0u) << line;
      continue;
    }
    for (const char* field : {"tok_s_median", "tok_s_min", "tok_s_max"}) {
      EXPECT_TRUE(j.contains(field)) << field << " in " << line;
    }
    EXPECT_GT(j["tok_s_median"].get<double>(), 0.0);
    EXPECT_LE(j["tok_s_min"].get<double>(), j["tok_s_max"].get<double>());
  }
  EXPECT_EQ(tests, (std::vector<std::string>{"load", "ttft16", "pp16", "tg8", "peak_rss"}));
}

// Weights are repacked at load where this CPU has a layout for them (AVX-512: PQ8 g64 here), and
// --no-repack keeps the file's.
TEST(Cli, BenchRepacksByDefaultAndNoRepackKeepsTheFileLayout) {
  const std::string config = write_qwen2_config("repack-config.json", 128, 256, 1);
  const std::string f32 = temp_path("repack-f32.gguf");
  const std::string q8 = temp_path("repack-q8g64.gguf");
  auto r = run_pocket("synth --config " + quote(config) + " --type f32 -o " + quote(f32));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_pocket("quantize --in " + quote(f32) + " --out " + quote(q8) +
                 " --bits 8 --group-size 64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto repacked_bytes = [&](const std::string& flags, std::string* isa) {
    const auto b = run_pocket("bench -m " + quote(q8) + " -p 4 -n 2 -r 1 -t 1 --json" + flags);
    EXPECT_EQ(b.exit_code, 0) << b.err;
    std::istringstream lines(b.out);
    for (std::string line; std::getline(lines, line);) {
      const Json j = Json::parse(line);
      if (j["test"] != "load") continue;
      *isa = j["isa"];
      return j["repacked_bytes"].get<uint64_t>();
    }
    ADD_FAILURE() << "no load line in " << b.out;
    return uint64_t{0};
  };
  std::string isa;
  const uint64_t by_default = repacked_bytes("", &isa);
  if (isa == "avx512") {
    EXPECT_GT(by_default, 0u);
  } else {
    EXPECT_EQ(by_default, 0u) << "no repacked layout on " << isa;
  }
  EXPECT_EQ(repacked_bytes(" --no-repack", &isa), 0u);
  r = run_pocket("run -m " + quote(q8) + " -p Hello -n 4 --temp 0 --no-repack");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove(q8);
  fs::remove(f32);
  fs::remove(config);
}

// --bandwidth: each tg run is set against its own probe; the tg line carries the median fraction.
TEST(Cli, BenchBandwidthGivesTheRooflineFractionOfTg) {
#ifdef POCKET_EMULATOR
  GTEST_SKIP() << "each probe reads 5 GB: minutes under the emulator";
#else
  const auto r = run_pocket("bench -m " + quote(shared_path("models/stories260K.gguf")) +
                            " -p 0 -n 8 -r 2 -t 1 --bandwidth --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  bool saw_tg = false;
  for (std::string line; std::getline(lines, line);) {
    const Json j = Json::parse(line);
    if (j["test"] != "tg8") continue;
    saw_tg = true;
    ASSERT_TRUE(j.contains("roofline_fraction")) << line;
    EXPECT_GT(j["roofline_fraction"].get<double>(), 0.0) << line;
    EXPECT_GT(j["bandwidth_gbs_median"].get<double>(), 0.0) << line;
  }
  EXPECT_TRUE(saw_tg) << r.out;
#endif
}

// The scenario table: one row per scenario, with every column filled.
TEST(Cli, BenchScenariosPrintsTheSeedTable) {
  const std::string file = temp_path("scenarios.json");
  std::ofstream(file) << R"({"scenarios": [
      {"name": "story", "prompt": "Once upon a time", "max_tokens": 8},
      {"name": "chatty", "chat": true, "prompt": "Hi", "max_tokens": 4}]})";
  auto r = run_pocket("bench -t 1 --cold --scenarios " + quote(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| model | weights | scenario |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| story | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| chatty | "), std::string::npos) << r.out;
  r = run_pocket("bench -t 1 --json --scenarios " + quote(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    const Json j = Json::parse(line);
    EXPECT_EQ(j["generated_tokens"].get<int>(), rows == 0 ? 8 : 4) << line;
    EXPECT_GT(j["decode_tok_s"].get<double>(), 0.0) << line;
    EXPECT_GT(j["peak_rss_bytes"].get<uint64_t>(), 0u) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2);
  std::ofstream(file) << R"({"scenarios": [{"name": "no prompt"}]})";
  r = run_pocket("bench -t 1 --scenarios " + quote(file));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("scenarios[0]: \"prompt\" must be a non-empty string"), std::string::npos)
      << r.err;
  std::filesystem::remove(file);
}

// A memory budget: runs and reports its peak; a budget too small or not a size is refused.
TEST(Cli, MemoryBudgetRunsOrExplainsWhyNot) {
  auto r = run_pocket("run -p 'Once upon a time' -n 8 --temp 0 --mem-budget 2G");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("peak RSS (VmHWM)"), std::string::npos) << r.err;
  r = run_pocket("run -n 8 --mem-budget 1M");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("memory budget 1.0 MB is below the minimum"), std::string::npos) << r.err;
  r = run_pocket("run -n 8 --mem-budget lots");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("'lots' is not a memory size"), std::string::npos) << r.err;
}

TEST(Cli, InfoCpuNamesTheChosenKernels) {
  auto r = run_pocket("info --cpu");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kernels:"), std::string::npos) << r.out;
  r = run_pocket("info --cpu", "", "POCKET_ISA=scalar");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kernels:      scalar (forced by POCKET_ISA)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("repacked:     none"), std::string::npos) << r.out;
  r = run_pocket("info --cpu", "", "POCKET_ISA=avx512");
  if (r.exit_code == 0) {  // an AVX-512 CPU
    for (const char* type : {"repacked:     F16 ", " Q4_0 ", " Q8_0 ", " BF16 ", " PQ4_G128 "}) {
      EXPECT_NE(r.out.find(type), std::string::npos) << type << " in " << r.out;
    }
  }
  r = run_pocket("info --cpu", "", "POCKET_ISA=sse9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("POCKET_ISA='sse9'"), std::string::npos) << r.err;
}

TEST(Cli, HelpForEverySubcommand) {
  for (const char* cmd : {"run", "chat", "info", "tokenize", "synth", "bench"}) {
    const auto r = run_pocket(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ": " << r.out;
  }
}

TEST(Cli, BadFlagsAndInputsGiveClearErrors) {
  auto r = run_pocket("run --temp abc");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--temp"), std::string::npos) << r.err;
  r = run_pocket("run -m /no/such/model.gguf");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("/no/such/model.gguf"), std::string::npos) << r.err;
  r = run_pocket("run --top-p 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("top_p"), std::string::npos) << r.err;
  r = run_pocket("run -c 4 -p 'Once upon a time there was'");
  EXPECT_EQ(r.exit_code, 6) << r.err;
  r = run_pocket("chat");  // stories260K has no chat template
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--chat-format"), std::string::npos) << r.err;
  r = run_pocket("synth --preset nope -o x.gguf");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  r = run_pocket("frobnicate");
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace pocket::test
