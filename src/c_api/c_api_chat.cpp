// Chat prompts: the model's template (or a named family) rendered to text.
#include <optional>
#include <string>
#include <vector>

#include "c_api_guard.h"
#include "c_api_handles.h"
#include "c_api_output.h"
#include "runtime/chat_template.h"

using pocket::capi::guard;
using pocket::capi::require;

namespace {

constexpr const char* kFormatNames = "\"deepseek-r1\", \"chatml\" or \"llama3\"";

pocket::ChatFormat choose_format(const pocket::LoadedModel& lm, const char* format) {
  if (format != nullptr) {
    const std::optional<pocket::ChatFormat> named = pocket::parse_chat_format(format);
    require(named.has_value(), "format '", format, "' is not one of ", kFormatNames);
    return *named;
  }
  if (lm.chat_format) return *lm.chat_format;
  // Unsupported rather than invalid: the call is fine, the model lacks what it needs.
  if (lm.tokenizer->chat_template().empty()) {
    pocket::fail(pocket::ErrorCode::kUnsupported, "model '", lm.model->source(),
                 "' has no chat template; pass a format (", kFormatNames, ")");
  }
  pocket::fail(pocket::ErrorCode::kUnsupported, "the chat template of model '", lm.model->source(),
               "' is not of a known family; pass a format (", kFormatNames, ")");
}

}  // namespace

extern "C" {

pocket_status pocket_chat_apply_template(const pocket_model* model, const char* format,
                                         const pocket_chat_message* messages, size_t n_messages,
                                         int add_generation_prompt, char* text, size_t capacity,
                                         size_t* len) {
  static constexpr const char* kFn = "pocket_chat_apply_template";
  return guard(kFn, [&] {
    require(len != nullptr, "len is NULL");
    *len = 0;
    require(model != nullptr, "model is NULL");
    require(messages != nullptr || n_messages == 0, "messages is NULL but n_messages is ",
            n_messages);
    require(text != nullptr || capacity == 0, "text is NULL but capacity is ", capacity);
    std::vector<pocket::ChatMessage> list;
    list.reserve(n_messages);
    for (size_t i = 0; i < n_messages; ++i) {
      require(messages[i].role != nullptr, "messages[", i, "].role is NULL");
      require(messages[i].content != nullptr, "messages[", i, "].content is NULL");
      list.push_back({messages[i].role, messages[i].content});
    }
    const pocket::LoadedModel& lm = *model->loaded;
    const std::string rendered = pocket::render_chat(choose_format(lm, format), list,
                                                     add_generation_prompt != 0, lm.bos_text);
    return pocket::capi::write_text(kFn, rendered, text, capacity, len);
  });
}

}  // extern "C"
