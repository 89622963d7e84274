// pocket tokenize: text -> ids as a JSON list. --jsonl reads {"text": ...} per line and prints a
// list per line, so thousands of cases need one load.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "core/error.h"
#include "runtime/model_loader.h"

namespace pocket::cli {
namespace {

struct TokenizeOptions {
  std::string model;
  std::string file;
  std::string jsonl;
  bool bos = false;
  bool no_special = false;
};

void print_ids(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(ids[i]);
  }
  out += "]\n";
  std::fputs(out.c_str(), stdout);
}

std::string read_all(std::istream& in) {
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int tokenize(const TokenizeOptions& o) {
  const auto tok = load_tokenizer(o.model);
  const bool parse_special = !o.no_special;
  if (!o.jsonl.empty()) {
    std::ifstream in(o.jsonl, std::ios::binary);
    if (!in) fail(ErrorCode::kIo, "cannot open '", o.jsonl, "'");
    std::string line;
    for (size_t line_no = 1; std::getline(in, line); ++line_no) {
      if (line.empty()) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string()) {
        fail(ErrorCode::kFormat, o.jsonl, ":", line_no, ": expected a JSON object with a string \"text\"");
      }
      print_ids(tok->encode(j["text"].get<std::string>(), o.bos, parse_special));
    }
    return 0;
  }
  std::string text;
  if (!o.file.empty()) {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) fail(ErrorCode::kIo, "cannot open '", o.file, "'");
    text = read_all(in);
  } else {
    text = read_all(std::cin);
  }
  print_ids(tok->encode(text, o.bos, parse_special));
  return 0;
}

}  // namespace

void add_tokenize_command(CLI::App& app, CommandBody& body) {
  auto opts = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids of a text as a JSON list");
  cmd->add_option("-m,--model", opts->model,
                  "GGUF file, model folder, or a folder with only tokenizer files")
      ->required();
  cmd->add_flag("--bos", opts->bos, "Add BOS (and EOS) as the model does");
  cmd->add_flag("--no-special", opts->no_special, "Treat special-token text as plain text");
  auto* file = cmd->add_option("--file", opts->file, "Read the text from this file (default: stdin)");
  cmd->add_option("--jsonl", opts->jsonl, "One {\"text\": ...} per line; one list per line")
      ->excludes(file);
  cmd->callback([opts, &body] { body = [opts] { return tokenize(*opts); }; });
}

}  // namespace pocket::cli
