#include "tokenizer/tokenizer_json_reader.h"

#include "core/error.h"
#include "core/mapped_file.h"

namespace pocket {

namespace {

using nlohmann::json;

constexpr const char* kPairShape = "expected [\"a\", \"b\"] or \"a b\"";

class Handler : public nlohmann::json_sax<json> {
 public:
  explicit Handler(TokenizerJsonDocument* doc) : doc_(doc) {}

  std::string error;  // set when a callback returned false

  bool null() override { return value(json(nullptr)); }
  bool boolean(bool v) override { return value(json(v)); }
  bool number_integer(number_integer_t v) override {
    if (mode_ == kVocab) return vocab_entry(v);
    return value(json(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode_ == kVocab) {
      if (v > static_cast<uint64_t>(INT64_MAX)) return bad_vocab_entry();
      return vocab_entry(static_cast<int64_t>(v));
    }
    return value(json(v));
  }
  bool number_float(number_float_t v, const string_t&) override { return value(json(v)); }
  bool binary(binary_t&) override { return value(json(nullptr)); }

  bool string(string_t& s) override {
    if (mode_ == kMerges) {  // "a b"
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
        return bad_merge("expected \"a b\" (two pieces and one space)");
      }
      doc_->merges.emplace_back(s.substr(0, space), s.substr(space + 1));
      return true;
    }
    if (mode_ == kMergePair) {  // ["a", "b"]
      if (pair_items_ >= 2) return bad_merge(kPairShape);
      (pair_items_ == 0 ? pair_.first : pair_.second) = std::move(s);
      ++pair_items_;
      return true;
    }
    if (mode_ == kVocab) return bad_vocab_entry();
    return value(json(std::move(s)));
  }

  bool start_object(std::size_t) override {
    if (mode_ == kMergesPending) mode_ = kTree;  // not an array: the loader reports it
    if (mode_ == kVocabPending) {
      mode_ = kVocab;
      doc_->has_vocab = true;
      return true;
    }
    if (mode_ != kTree) return bad_here();
    json* node = place(json::object());
    stack_.push_back(node);
    keys_.emplace_back();
    return true;
  }

  bool key(string_t& k) override {
    if (mode_ == kVocab) {
      key_ = std::move(k);
      return true;
    }
    object_slot_ = &(*stack_.back())[k];
    keys_.back() = k;
    // model.vocab / model.merges: the next value decides whether it takes the fast path.
    if (stack_.size() == 2 && keys_[0] == "model") {
      if (k == "vocab") mode_ = kVocabPending;
      if (k == "merges") mode_ = kMergesPending;
    }
    return true;
  }

  bool end_object() override {
    if (mode_ == kVocab) {
      mode_ = kTree;
      return true;
    }
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }

  bool start_array(std::size_t) override {
    if (mode_ == kVocabPending) mode_ = kTree;  // not an object: the loader reports it
    if (mode_ == kMergesPending) {
      mode_ = kMerges;
      doc_->has_merges = true;
      return true;
    }
    if (mode_ == kMerges) {
      mode_ = kMergePair;
      pair_items_ = 0;
      return true;
    }
    if (mode_ != kTree) return bad_here();
    json* node = place(json::array());
    stack_.push_back(node);
    keys_.emplace_back();
    return true;
  }

  bool end_array() override {
    if (mode_ == kMergePair) {
      if (pair_items_ != 2) return bad_merge(kPairShape);
      doc_->merges.push_back(std::move(pair_));
      pair_ = {};
      mode_ = kMerges;
      return true;
    }
    if (mode_ == kMerges) {
      mode_ = kTree;
      return true;
    }
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = cat("not valid JSON: ", e.what());
    return false;
  }

 private:
  enum Mode { kTree, kVocabPending, kVocab, kMergesPending, kMerges, kMergePair };

  // Stores a scalar in the tree (a pending fast path falls back to the tree: the loader then
  // reports the wrong type).
  bool value(json v) {
    if (mode_ == kVocab) return bad_vocab_entry();
    if (mode_ == kMerges || mode_ == kMergePair) return bad_here();
    place(std::move(v));
    return true;
  }

  json* place(json v) {
    if (mode_ == kVocabPending || mode_ == kMergesPending) mode_ = kTree;
    if (stack_.empty()) {
      doc_->tree = std::move(v);
      return &doc_->tree;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    *object_slot_ = std::move(v);
    return object_slot_;
  }

  bool vocab_entry(int64_t id) {
    doc_->vocab.emplace_back(std::move(key_), id);
    return true;
  }

  bool bad_vocab_entry() {
    error = cat("model.vocab.", key_, ": expected an integer id");
    return false;
  }

  bool bad_here() { return mode_ == kVocab ? bad_vocab_entry() : bad_merge(kPairShape); }

  bool bad_merge(const char* what) {
    error = cat("model.merges[", doc_->merges.size(), "]: ", what);
    return false;
  }

  TokenizerJsonDocument* doc_;
  Mode mode_ = kTree;
  std::vector<json*> stack_;       // open containers of the tree
  std::vector<std::string> keys_;  // the current key of each open container
  json* object_slot_ = nullptr;    // where the next value of the innermost object goes
  std::string key_;                // current model.vocab key
  std::pair<std::string, std::string> pair_;
  int pair_items_ = 0;
};

}  // namespace

TokenizerJsonDocument read_tokenizer_json(const std::string& path) {
  const MappedFile file(path);
  TokenizerJsonDocument doc;
  Handler handler(&doc);
  const auto* begin = reinterpret_cast<const char*>(file.data());
  bool ok = false;
  try {
    ok = json::sax_parse(begin, begin + file.size(), &handler);
  } catch (const json::exception& e) {
    fail(ErrorCode::kFormat, path, ": not valid JSON: ", e.what());
  }
  if (!ok) {
    fail(ErrorCode::kFormat, path, ": ", handler.error.empty() ? "not valid JSON" : handler.error);
  }
  return doc;
}

}  // namespace pocket
