// pocket info: what a model holds (format, architecture, shapes, tensor types, tokenizer).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "default_paths.h"
#include "io/gguf.h"
#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "runtime/model_loader.h"
#include "runtime/weight_repack.h"

namespace pocket::cli {
namespace {

struct InfoOptions {
  std::string model;
  bool tensors = false;
  bool metadata = false;
  bool cpu = false;
};

void print_gguf_metadata(const GgufFile& f) {
  std::printf("GGUF v%u, %zu metadata keys, %zu tensors\n", f.version(), f.keys().size(),
              f.tensors().size());
  for (const std::string& key : f.keys()) {
    const GgufValueType t = f.type_of(key);
    std::string value;
    if (t == GgufValueType::kString) {
      value = *f.get_string(key);
      if (value.size() > 80) value = value.substr(0, 77) + "...";
      for (char& c : value) {
        if (c == '\n') c = ' ';
      }
    } else if (t == GgufValueType::kArray) {
      value = "[array]";
    } else if (t == GgufValueType::kFloat32 || t == GgufValueType::kFloat64) {
      value = std::to_string(*f.get_float(key));
    } else if (t == GgufValueType::kBool) {
      value = *f.get_bool(key) ? "true" : "false";
    } else {
      value = std::to_string(*f.get_int(key));
    }
    std::printf("  %-48s %s\n", key.c_str(), value.c_str());
  }
}

int info(const InfoOptions& o) {
  if (o.cpu) {
    std::printf("cpu features: %s\n", cpu_features().describe().c_str());
    std::printf("kernels:      %s%s\n", std::string(isa_name(active_kernels().isa)).c_str(),
                std::getenv("POCKET_ISA") ? " (forced by POCKET_ISA)" : " (best supported)");
    std::printf("threads:      %d\n", ThreadPool::default_threads());
    std::string types;
    for (DType t : repacked_types())
      types += (types.empty() ? "" : " ") + std::string(dtype_name(t));
    std::printf("repacked:     %s\n",
                types.empty() ? "none (no interleaved layout for this CPU's kernels)"
                              : (types + " (at load; --no-repack keeps the file layout)").c_str());
    return 0;
  }
  const std::string path = o.model.empty() ? default_model_path() : o.model;
  LoadedModel lm = load_model(path);
  const Model& m = *lm.model;
  std::printf("model:       %s (%s)\n", path.c_str(),
              m.format() == ModelFormat::kGguf ? "GGUF" : "Hugging Face folder");
  std::printf("spec:        %s\n", m.spec().describe().c_str());
  std::printf("parameters:  %llu (%.2f M)\n", static_cast<unsigned long long>(m.n_params()),
              static_cast<double>(m.n_params()) / 1e6);
  std::printf("weights:     %.2f MiB\n", static_cast<double>(m.weight_bytes()) / (1024.0 * 1024.0));
  std::map<std::string, int> types;
  const ModelWeights& w = m.weights();
  auto count = [&](const TensorView* t) {
    if (t) ++types[std::string(dtype_name(t->type))];
  };
  count(w.tok_embd);
  if (w.output != w.tok_embd) count(w.output);
  for (const auto& l : w.layers) {
    for (const TensorView* t : {l.wq, l.wk, l.wv, l.wo, l.w_gate, l.w_up, l.w_down}) count(t);
  }
  std::printf("matrices:   ");
  for (const auto& [name, n] : types) std::printf(" %s x%d", name.c_str(), n);
  std::printf("\n");
  const Tokenizer& tok = *lm.tokenizer;
  std::printf("tokenizer:   %s, %d tokens, bos %d, eos %d\n",
              tok.kind() == TokenizerKind::kByteLevelBpe ? "byte-level BPE" : "SentencePiece BPE",
              tok.n_vocab(), tok.bos(), tok.eos());
  std::printf("chat:        %s\n",
              lm.chat_format
                  ? std::string(chat_format_name(*lm.chat_format)).c_str()
                  : (tok.chat_template().empty() ? "no template" : "unrecognized template"));
  if (o.metadata && m.format() == ModelFormat::kGguf) print_gguf_metadata(GgufFile::open(path));
  if (o.tensors) {
    auto print = [](const TensorView* t) {
      if (t)
        std::printf("  %-40s %-5s %s\n", t->name.c_str(), std::string(dtype_name(t->type)).c_str(),
                    shape_string(*t).c_str());
    };
    print(w.tok_embd);
    print(w.output_norm);
    if (w.output != w.tok_embd) print(w.output);
    for (const auto& l : w.layers) {
      for (const TensorView* t : {l.attn_norm, l.wq, l.bq, l.wk, l.bk, l.wv, l.bv, l.wo, l.ffn_norm,
                                  l.w_gate, l.w_up, l.w_down}) {
        print(t);
      }
    }
  }
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, CommandBody& body) {
  auto opts = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Show what a model file or folder holds");
  cmd->add_option("-m,--model", opts->model, "GGUF file or Hugging Face folder");
  cmd->add_flag("--tensors", opts->tensors, "List the tensors the model uses");
  cmd->add_flag("--metadata", opts->metadata, "List the GGUF metadata keys");
  cmd->add_flag("--cpu", opts->cpu, "Show the CPU features and the kernels chosen, then exit");
  cmd->callback([opts, &body] { body = [opts] { return info(*opts); }; });
}

}  // namespace pocket::cli
