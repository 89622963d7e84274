// Reads tokenizer.json in one streaming (SAX) pass. The two big members, model.vocab (150k
// entries) and model.merges (150k pairs), go straight into flat vectors; the rest of the file
// (normalizer, pre-tokenizer, added tokens...) becomes an ordinary JSON tree. A full JSON tree of
// the file would cost about five times as long to build.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pocket {

struct TokenizerJsonDocument {
  // The file, except that model.vocab and model.merges are null when they were read into the
  // vectors below (when they had the expected shape: an object, an array).
  nlohmann::json tree;
  bool has_vocab = false;
  // Deques: they grow without moving what they hold (150k strings, twice over, otherwise).
  std::deque<std::pair<std::string, int64_t>> vocab;  // in file order
  bool has_merges = false;
  std::deque<std::pair<std::string, std::string>> merges;
};

// Throws Error: kIo if unreadable, kFormat naming the file (and the field inside model.vocab or
// model.merges) if malformed.
TokenizerJsonDocument read_tokenizer_json(const std::string& path);

}  // namespace pocket
