// Text <-> ids through the model's tokenizer, with the buffer-size protocol of pocket.h.
#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "c_api_guard.h"
#include "c_api_handles.h"
#include "c_api_output.h"

using pocket::capi::guard;
using pocket::capi::report;
using pocket::capi::require;

extern "C" {

pocket_status pocket_tokenize(const pocket_model* model, const char* text, size_t text_len,
                              int add_bos, int parse_special, int32_t* tokens, size_t capacity,
                              size_t* n_tokens) {
  static constexpr const char* kFn = "pocket_tokenize";
  return guard(kFn, [&] {
    require(n_tokens != nullptr, "n_tokens is NULL");
    *n_tokens = 0;
    require(model != nullptr, "model is NULL");
    require(text != nullptr || text_len == 0, "text is NULL but text_len is ", text_len);
    require(tokens != nullptr || capacity == 0, "tokens is NULL but capacity is ", capacity);
    const std::string_view view(text ? text : "", text_len);
    const std::vector<int32_t> ids =
        model->loaded->tokenizer->encode(view, add_bos != 0, parse_special != 0);
    *n_tokens = ids.size();
    if (ids.size() > capacity) {
      return report(kFn, POCKET_ERR_BUFFER_TOO_SMALL,
                    pocket::cat("the text has ", ids.size(), " tokens but capacity is ", capacity));
    }
    std::copy(ids.begin(), ids.end(), tokens);
    return POCKET_OK;
  });
}

pocket_status pocket_detokenize(const pocket_model* model, const int32_t* tokens, size_t n_tokens,
                                char* text, size_t capacity, size_t* len) {
  static constexpr const char* kFn = "pocket_detokenize";
  return guard(kFn, [&] {
    require(len != nullptr, "len is NULL");
    *len = 0;
    require(model != nullptr, "model is NULL");
    require(tokens != nullptr || n_tokens == 0, "tokens is NULL but n_tokens is ", n_tokens);
    require(text != nullptr || capacity == 0, "text is NULL but capacity is ", capacity);
    // The model's n_vocab, not the tokenizer's: a sampled id from a padded output row is valid
    // (it decodes to nothing).
    const int64_t n_vocab = model->loaded->model->spec().n_vocab;
    for (size_t i = 0; i < n_tokens; ++i) {
      require(tokens[i] >= 0 && tokens[i] < n_vocab, "tokens[", i, "] = ", tokens[i],
              " is outside the vocabulary (0..", n_vocab - 1, ")");
    }
    const std::string decoded =
        model->loaded->tokenizer->decode(std::span<const int32_t>(tokens, n_tokens));
    return pocket::capi::write_text(kFn, decoded, text, capacity, len);
  });
}

}  // extern "C"
