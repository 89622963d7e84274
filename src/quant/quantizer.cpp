#include "quant/quantizer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/thread_pool.h"
#include "io/gguf_writer.h"
#include "quant/awq.h"
#include "quant/calibration.h"
#include "quant/gptq.h"
#include "quant/group_search.h"
#include "quant/mix_policy.h"
#include "quant/model_tensors.h"
#include "runtime/gguf_model_writer.h"
#include "runtime/model_loader.h"

namespace pocket::quant {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// llama.cpp's LLAMA_FTYPE for a file whose main type is `t`; our own types get 1000 + type id
// (llama.cpp only prints this key; it refuses our tensor types anyway).
uint32_t file_type_of(DType t) {
  switch (t) {
    case DType::kF32:
      return 0;
    case DType::kF16:
      return 1;
    case DType::kQ4_0:
      return 2;
    case DType::kQ4_1:
      return 3;
    case DType::kQ8_0:
      return 7;
    case DType::kBF16:
      return 32;
    default:
      return 1000 + static_cast<uint32_t>(t);
  }
}

void check_output_path(const std::string& out, const std::string& in) {
  namespace fs = std::filesystem;
  POCKET_CHECK(!out.empty(), ErrorCode::kInvalidArgument, "no output path given");
  std::error_code ec;
  POCKET_CHECK(!fs::exists(in) || !fs::equivalent(in, out, ec), ErrorCode::kInvalidArgument,
               "the output '", out, "' is the input model");
  fs::path dir = fs::path(out).parent_path();
  if (dir.empty()) dir = ".";
  POCKET_CHECK(fs::is_directory(dir, ec), ErrorCode::kIo, "cannot write '", out, "': folder '",
               dir.string(), "' does not exist");
  POCKET_CHECK(access(dir.c_str(), W_OK) == 0, ErrorCode::kIo, "cannot write '", out, "': folder '",
               dir.string(), "' is not writable");
  POCKET_CHECK(!fs::is_directory(out, ec), ErrorCode::kIo, "cannot write '", out,
               "': it is a folder");
}

// Quantizes a matrix in chunks of rows, each chunk split across the pool, into the sink.
void write_matrix(const ModelTensor& t, DType type, const Transform* tr, ThreadPool& pool,
                  const GgufWriter::ByteSink& sink, TensorReport& rep, Progress& progress) {
  const auto t0 = Clock::now();
  const int64_t cols = t.cols(), rows = t.rows();
  const uint64_t rb = row_bytes(type, static_cast<uint64_t>(cols));
  const int64_t chunk = std::max<int64_t>(1, (int64_t{8} << 20) / cols);
  const float* importance = tr && !tr->importance.empty() ? tr->importance.data() : nullptr;
  const auto format = group_format(type);
  const bool gptq = tr && tr->gptq && format;
  std::vector<uint8_t> out;
  std::vector<RowError> per_thread(static_cast<size_t>(pool.size()));
  for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
    const int64_t r1 = std::min(rows, r0 + chunk);
    out.resize(static_cast<size_t>(r1 - r0) * rb);
    pool.parallel_for(r1 - r0, [&](int ti, int64_t b, int64_t e) {
      const std::vector<float> src = transformed_rows(t, tr, r0 + b, r0 + e);
      RowError& acc = per_thread[static_cast<size_t>(ti)];
      for (int64_t i = b; i < e; ++i) {
        const float* x = &src[static_cast<size_t>((i - b) * cols)];
        uint8_t* dst = &out[static_cast<size_t>(i) * rb];
        const RowError re = gptq ? quantize_row_gptq(*format, x, importance, *tr->gptq, cols, dst)
                                 : quantize_row_best(type, x, importance, cols, dst);
        acc.err2 += re.err2;
        acc.ref2 += re.ref2;
      }
    });
    sink(out.data(), out.size());
    progress.advance((r1 - r0) * cols, t.name);
  }
  RowError total;
  for (const auto& e : per_thread) {
    total.err2 += e.err2;
    total.ref2 += e.ref2;
  }
  rep.rel_rms = total.ref2 > 0 ? std::sqrt(total.err2 / total.ref2) : 0.0;
  rep.seconds = since(t0);
}

using InputKey = std::pair<int64_t, int>;  // (layer, LinearInput); layer -1 for the output
using BaseFactors = std::map<InputKey, std::shared_ptr<const GptqFactor>>;

InputKey input_key(const ModelTensor& t) {
  return {t.input == LinearInput::kOutput ? -1 : t.layer, static_cast<int>(t.input)};
}

const ChannelStats* stats_for(const CalibrationStats& stats, const ModelTensor& t) {
  if (t.role != TensorRole::kMatrix) return nullptr;
  const ChannelStats* st = stats.find(input_key(t).first, t.input);
  return st && st->width == t.cols() && st->n_samples() > 0 ? st : nullptr;
}

// One in-order factor per linear input, from its unscaled calibration rows (the AWQ search and
// the matrices derive theirs with scale_factor). act_order: one per matrix from the inputs
// divided by its AWQ column scales, since the column order depends on the scaled Hessian.
BaseFactors base_gptq_factors(const std::vector<ModelTensor>& tensors,
                              const CalibrationStats& stats, ThreadPool& pool) {
  std::vector<InputKey> keys;
  std::vector<const ChannelStats*> inputs;
  for (const auto& t : tensors) {
    const ChannelStats* st = stats_for(stats, t);
    if (!st || std::find(keys.begin(), keys.end(), input_key(t)) != keys.end()) continue;
    keys.push_back(input_key(t));
    inputs.push_back(st);
  }
  std::vector<std::shared_ptr<const GptqFactor>> factors(keys.size());
  pool.parallel_for(static_cast<int64_t>(keys.size()), [&](int, int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      const ChannelStats& st = *inputs[static_cast<size_t>(j)];
      factors[static_cast<size_t>(j)] = std::make_shared<const GptqFactor>(
          gptq_factor(st.samples, st.n_samples(), st.width, false));
    }
  });
  BaseFactors out;
  for (size_t j = 0; j < keys.size(); ++j) out[keys[j]] = factors[j];
  return out;
}

void add_gptq_factors(const std::vector<ModelTensor>& tensors, const CalibrationStats& stats,
                      const BaseFactors& base, TransformMap& transforms, ThreadPool& pool,
                      bool act_order) {
  std::vector<const ModelTensor*> jobs;
  for (const auto& t : tensors) {
    if (stats_for(stats, t)) jobs.push_back(&t);
  }
  std::vector<std::shared_ptr<const GptqFactor>> factors(jobs.size());
  pool.parallel_for(static_cast<int64_t>(jobs.size()), [&](int, int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      const ModelTensor& t = *jobs[static_cast<size_t>(j)];
      // find(), not operator[]: this runs on several threads.
      const auto it = transforms.find(t.name);
      const std::vector<float>* cs =
          it != transforms.end() && !it->second.col_scale.empty() ? &it->second.col_scale : nullptr;
      std::shared_ptr<const GptqFactor>& out = factors[static_cast<size_t>(j)];
      if (!act_order) {
        const auto& b0 = base.at(input_key(t));
        out = cs ? std::make_shared<const GptqFactor>(scale_factor(*b0, *cs)) : b0;
        continue;
      }
      const ChannelStats& st = *stats_for(stats, t);
      std::vector<float> xs = st.samples;
      if (cs) {
        for (size_t i = 0; i < xs.size(); ++i) xs[i] /= (*cs)[i % cs->size()];
      }
      out = std::make_shared<const GptqFactor>(gptq_factor(xs, st.n_samples(), st.width, true));
    }
  });
  for (size_t j = 0; j < jobs.size(); ++j) transforms[jobs[j]->name].gptq = factors[j];
}

}  // namespace

Quantizer::Quantizer(std::string model_path, std::string config_path, std::string output_path,
                     int bits, int group_size)
    : model_path_(std::move(model_path)),
      config_path_(std::move(config_path)),
      output_path_(std::move(output_path)) {
  options_.bits = bits;
  options_.group_size = group_size;
}

void Quantizer::apply_config() {
  if (config_path_.empty()) return;
  std::ifstream in(config_path_, std::ios::binary);
  POCKET_CHECK(in.good(), ErrorCode::kIo, "cannot open quantizer config '", config_path_, "'");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
    POCKET_CHECK(j.is_object(), ErrorCode::kFormat, config_path_, ": expected a JSON object");
    QuantOptions& o = options_;
    for (const auto& [key, v] : j.items()) {
      if (key == "bits")
        o.bits = v.get<int>();
      else if (key == "group_size")
        o.group_size = v.get<int>();
      else if (key == "scheme") {
        const auto s = v.get<std::string>();
        POCKET_CHECK(s == "sym" || s == "asym", ErrorCode::kFormat, config_path_,
                     ": scheme must be \"sym\" or \"asym\"");
        o.scheme = s == "sym" ? Scheme::kSym : Scheme::kAsym;
      } else if (key == "fp8")
        o.fp8 = v.get<bool>();
      else if (key == "mix")
        o.mix = v.get<std::string>();
      else if (key == "calib")
        o.calib_path = v.get<std::string>();
      else if (key == "calib_samples")
        o.calib_samples = v.get<int>();
      else if (key == "awq")
        o.awq = v.get<bool>() ? AwqMode::kOn : AwqMode::kOff;
      else if (key == "gptq")
        o.gptq = v.get<bool>();
      else if (key == "act_order")
        o.act_order = v.get<bool>();
      else if (key == "threads")
        o.threads = v.get<int>();
      else
        fail(ErrorCode::kFormat, config_path_, ": unknown key '", key, "'");
    }
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorCode::kFormat, config_path_, ": ", e.what());
  }
}

QuantReport Quantizer::run() {
  const auto t_start = Clock::now();
  apply_config();
  const QuantOptions& o = options_;
  // Everything that can be checked without the model is checked before it is loaded.
  const DType base = group_type(o.bits, o.group_size, o.scheme, o.fp8);
  if (!o.calib_path.empty()) {
    POCKET_CHECK(std::filesystem::is_regular_file(o.calib_path), ErrorCode::kIo,
                 "calibration file '", o.calib_path, "' does not exist");
    POCKET_CHECK(o.calib_samples >= 1 && o.calib_samples <= 1024, ErrorCode::kInvalidArgument,
                 "--calib-samples must be 1..1024, not ", o.calib_samples);
  }
  check_output_path(output_path_, model_path_);

  const LoadedModel loaded = load_model(model_path_);
  const Model& model = *loaded.model;
  const ModelSpec& spec = model.spec();
  POCKET_CHECK(o.group_size <= spec.n_embd, ErrorCode::kInvalidArgument, "--group-size ",
               o.group_size, " is bigger than the model's rows (hidden size ", spec.n_embd, ")");
  const std::vector<ModelTensor> tensors = list_model_tensors(model);
  MixPolicy policy;
  if (!o.mix.empty()) policy = MixPolicy(o.mix, o.group_size, o.scheme, spec.n_layer);

  QuantReport report;
  std::map<std::string, Fit> fits;
  for (const auto& t : tensors) {
    if (t.role == TensorRole::kVector) {
      fits[t.name] = {DType::kF32, ""};
      continue;
    }
    fits[t.name] = fit_row(policy.type_for(t.name, t.layer).value_or(base), t.cols());
  }
  const TypeOf type_of = [&](const ModelTensor& t) { return fits.at(t.name).type; };

  ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::default_threads());
  TransformMap transforms;
  if (!o.calib_path.empty()) {
    const auto t0 = Clock::now();
    CalibrationOptions co;
    co.text_path = o.calib_path;
    co.samples = o.calib_samples;
    co.threads = pool.size();
    co.ctx = std::min<int64_t>(256, spec.n_ctx_train);
    const CalibrationStats stats = run_calibration(loaded, co);
    report.calib_tokens = stats.tokens();
    // In-order GPTQ: the factors come first, so the AWQ search can judge its scales by what
    // GPTQ makes of them.
    BaseFactors factors;
    if (o.gptq && !o.act_order) factors = base_gptq_factors(tensors, stats, pool);
    const GptqOf gptq_of = [&factors](int64_t layer, LinearInput input) -> const GptqFactor* {
      const auto it = factors.find({layer, static_cast<int>(input)});
      return it == factors.end() ? nullptr : it->second.get();
    };
    const bool awq = o.awq == AwqMode::kOn || (o.awq == AwqMode::kAuto && !o.gptq);
    if (awq) report.awq = awq_search(tensors, type_of, stats, pool, transforms, gptq_of);
    // Importance of each input channel: E[x^2] in the (possibly AWQ-scaled) domain.
    for (const auto& t : tensors) {
      const ChannelStats* st = stats_for(stats, t);
      if (!st) continue;
      Transform& tr = transforms[t.name];
      tr.importance = st->mean_sq();
      double mean = 0;
      for (size_t c = 0; c < tr.importance.size(); ++c) {
        if (!tr.col_scale.empty()) tr.importance[c] /= tr.col_scale[c] * tr.col_scale[c];
        mean += tr.importance[c];
      }
      // A floor keeps channels never active in calibration from being ignored entirely.
      const float floor =
          static_cast<float>(1e-3 * mean / static_cast<double>(tr.importance.size()));
      for (float& v : tr.importance) v += floor;
    }
    if (o.gptq) add_gptq_factors(tensors, stats, factors, transforms, pool, o.act_order);
    report.calib_seconds = since(t0);
  }

  GgufWriter w;
  const std::string name = std::filesystem::path(model_path_).stem().string() + " " +
                           std::string(dtype_name(base)) + (o.mix.empty() ? "" : " mix");
  add_model_metadata(w, spec, loaded.tokenizer->spec(), file_type_of(base), name);
  if (!spec.rope_freq_factors.empty()) {
    w.add_tensor("rope_freqs.weight", DType::kF32,
                 {static_cast<int64_t>(spec.rope_freq_factors.size())},
                 spec.rope_freq_factors.data());
  }
  int64_t total_values = 0;
  for (const auto& t : tensors) total_values += t.view->n_elements();
  Progress progress(o.progress ? total_values : 0);
  report.tensors.resize(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const ModelTensor& t = tensors[i];
    const Fit fit = fits.at(t.name);
    TensorReport& rep = report.tensors[i];
    rep.name = t.name;
    rep.type = fit.type;
    rep.shape = t.shape();
    rep.n_elements = t.view->n_elements();
    rep.bytes =
        row_bytes(fit.type, static_cast<uint64_t>(t.cols())) * static_cast<uint64_t>(t.rows());
    rep.note = fit.reason;
    const auto it = transforms.find(t.name);
    const Transform* tr = it == transforms.end() ? nullptr : &it->second;
    w.add_tensor(
        t.name, fit.type, rep.shape,
        [&t, tr, &pool, &rep, &progress, type = fit.type](const GgufWriter::ByteSink& sink) {
          write_matrix(t, type, tr, pool, sink, rep, progress);
        });
    report.tensor_bytes += rep.bytes;
    report.n_elements += rep.n_elements;
  }
  w.write(output_path_);
  progress.finish();
  report.file_bytes = std::filesystem::file_size(output_path_);
  report.seconds = since(t_start);
  return report;
}

}  // namespace pocket::quant
