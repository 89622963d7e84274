#include "runtime/chat_template.h"

#include "core/error.h"
#include "runtime/chat_template_formats.h"

namespace pocket {

std::optional<ChatFormat> detect_chat_format(std::string_view jinja_template) {
  const auto has = [&](std::string_view marker) {
    return jinja_template.find(marker) != std::string_view::npos;
  };
  // DeepSeek first: its distills reuse Qwen/Llama vocabularies, so their templates could mention
  // the other families' tokens, never the reverse.
  if (has("<｜User｜>") || has("<｜Assistant｜>")) return ChatFormat::kDeepSeekR1;
  if (has("<|im_start|>")) return ChatFormat::kChatML;
  if (has("<|start_header_id|>")) return ChatFormat::kLlama3;
  return std::nullopt;
}

std::optional<ChatFormat> parse_chat_format(std::string_view name) {
  if (name == "deepseek-r1") return ChatFormat::kDeepSeekR1;
  if (name == "chatml") return ChatFormat::kChatML;
  if (name == "llama3") return ChatFormat::kLlama3;
  return std::nullopt;
}

std::string_view chat_format_name(ChatFormat format) {
  switch (format) {
    case ChatFormat::kDeepSeekR1:
      return "deepseek-r1";
    case ChatFormat::kChatML:
      return "chatml";
    case ChatFormat::kLlama3:
      return "llama3";
  }
  fail(ErrorCode::kInternal, "chat format id ", static_cast<int>(format), " has no name");
}

bool generation_prompt_opens_reasoning(ChatFormat format) {
  // ChatML (Qwen3) and Llama-3 models open <think> themselves, if they think at all.
  return format == ChatFormat::kDeepSeekR1;
}

std::string render_chat(ChatFormat format, std::span<const ChatMessage> messages,
                        bool add_generation_prompt, std::string_view bos_token) {
  switch (format) {
    case ChatFormat::kDeepSeekR1:
      return chat_detail::render_deepseek_r1(messages, add_generation_prompt, bos_token);
    case ChatFormat::kChatML:
      return chat_detail::render_chatml(messages, add_generation_prompt, bos_token);
    case ChatFormat::kLlama3:
      return chat_detail::render_llama3(messages, add_generation_prompt, bos_token);
  }
  fail(ErrorCode::kInvalidArgument, "unknown chat format id ", static_cast<int>(format));
}

namespace chat_detail {

void fail_unknown_role(const ChatMessage& message, size_t index, std::string_view format,
                       std::string_view supported) {
  fail(ErrorCode::kInvalidArgument, "chat message ", index, " has role '", message.role,
       "', which the ", format, " chat format does not support (supported: ", supported, ")");
}

}  // namespace chat_detail
}  // namespace pocket
