// Chat prompts: turns a conversation into the exact text a model's Jinja chat_template renders.
// We do not run Jinja; each supported family is emulated in C++ and checked against goldens made
// with the real template (see tests/runtime/chat_template_test.cpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pocket {

// One tool invocation requested by the assistant (OpenAI "tool_calls" entry).
struct ChatToolCall {
  std::string type = "function";
  std::string name;
  std::string arguments;  // JSON text, rendered verbatim
};

// Roles: "system", "user", "assistant", "tool". A message with tool_calls is the OpenAI message
// whose content is null; its content must be empty (the DeepSeek-R1 template would otherwise drop
// the calls silently, so we refuse instead).
struct ChatMessage {
  std::string role;
  std::string content;
  std::vector<ChatToolCall> tool_calls = {};  // defaulted so {"user", "hi"} stays warning-free
};

enum class ChatFormat {
  kDeepSeekR1,  // DeepSeek-R1 and its Qwen/Llama distills: <｜User｜>...<｜Assistant｜><think>\n
  kChatML,      // Qwen2.5 / Qwen3: <|im_start|>role\n...<|im_end|>\n
  kLlama3,      // Llama-3 instruct: <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
};

// Recognizes the family from marker strings in a model's chat_template; nothing if unknown.
std::optional<ChatFormat> detect_chat_format(std::string_view jinja_template);

// CLI names: "deepseek-r1", "chatml", "llama3"; nothing if unknown.
std::optional<ChatFormat> parse_chat_format(std::string_view name);
std::string_view chat_format_name(ChatFormat format);

// Whether the format's generation prompt already opens the reasoning block (DeepSeek-R1 ends it
// with `<think>\n`): the generated text then starts as reasoning. Use it as the
// starts_in_reasoning argument of ReasoningSplitter.
bool generation_prompt_opens_reasoning(ChatFormat format);

// Renders the prompt text, BOS included where the template puts it (encode it without adding
// another BOS). add_generation_prompt appends the opening of the assistant's turn.
// Throws Error(kInvalidArgument) naming the message index for roles or fields the format does not
// support. Format notes:
//  - kDeepSeekR1: DeepSeek's template, including its tool-call and tool-output quirks.
//  - kChatML: Qwen3's template without `tools` and `enable_thinking` (reasoning before the last
//    `</think>` of earlier assistant turns is dropped, as Qwen3 does). No default system prompt
//    is inserted (Qwen2.5's template adds "You are Qwen, created by Alibaba Cloud..."; pass it as
//    a system message for Qwen2.5). bos_token, if not empty, is prepended (Qwen has none).
//  - kLlama3: Meta's Llama-3 template: bos before the first message, contents trimmed. Role
//    "tool" is written as "ipython" (Llama-3.1's name for tool output); tool_calls are refused.
std::string render_chat(ChatFormat format, std::span<const ChatMessage> messages,
                        bool add_generation_prompt, std::string_view bos_token);

}  // namespace pocket
