// Internal: one renderer per chat format (each in its own chat_template_<format>.cpp).
// Callers use render_chat() in chat_template.h, which dispatches here.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "runtime/chat_template.h"

namespace pocket::chat_detail {

std::string render_deepseek_r1(std::span<const ChatMessage> messages, bool add_generation_prompt,
                               std::string_view bos_token);
std::string render_chatml(std::span<const ChatMessage> messages, bool add_generation_prompt,
                          std::string_view bos_token);
std::string render_llama3(std::span<const ChatMessage> messages, bool add_generation_prompt,
                          std::string_view bos_token);

// Throws Error(kInvalidArgument): "chat message <index> has role '<role>', which the <format>
// format does not support (supported: <supported>)".
[[noreturn]] void fail_unknown_role(const ChatMessage& message, size_t index,
                                    std::string_view format, std::string_view supported);

}  // namespace pocket::chat_detail
