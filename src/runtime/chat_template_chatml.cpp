// ChatML as Qwen3's chat template writes it (without `tools` and `enable_thinking`), emulated
// statement by statement. Qwen2.5 renders the same text for conversations whose assistant turns
// hold no `</think>` and that start with a system message (it inserts a default one otherwise).
#include <string>

#include "core/error.h"
#include "runtime/chat_template_formats.h"

namespace pocket::chat_detail {
namespace {

constexpr std::string_view kThinkStart = "<think>";
constexpr std::string_view kThinkEnd = "</think>";

std::string_view lstrip_newlines(std::string_view s) {
  const size_t pos = s.find_first_not_of('\n');
  return pos == std::string_view::npos ? std::string_view() : s.substr(pos);
}

std::string_view rstrip_newlines(std::string_view s) {
  const size_t pos = s.find_last_not_of('\n');
  return pos == std::string_view::npos ? std::string_view() : s.substr(0, pos + 1);
}

bool is_tool_response(std::string_view content) {
  return content.starts_with("<tool_response>") && content.ends_with("</tool_response>");
}

// The template's `ns.last_query_index`: the last user message that is not a wrapped tool
// response. Assistant turns after it (the current multi-step tool turn) keep their reasoning.
size_t last_query_index(std::span<const ChatMessage> messages) {
  for (size_t i = messages.size(); i-- > 0;) {
    if (messages[i].role == "user" && !is_tool_response(messages[i].content)) return i;
  }
  return messages.size() - 1;  // as the template's default (messages|length - 1)
}

void append_assistant(std::string& out, std::span<const ChatMessage> messages, size_t index,
                      size_t query_index) {
  const ChatMessage& m = messages[index];
  std::string_view content = m.content;
  std::string_view reasoning;
  if (const size_t close = content.find(kThinkEnd); close != std::string_view::npos) {
    // content.split('</think>')[-1].lstrip('\n') and
    // content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n')
    content = lstrip_newlines(content.substr(content.rfind(kThinkEnd) + kThinkEnd.size()));
    std::string_view before = rstrip_newlines(std::string_view(m.content).substr(0, close));
    if (const size_t open = before.rfind(kThinkStart); open != std::string_view::npos) {
      before = before.substr(open + kThinkStart.size());
    }
    reasoning = lstrip_newlines(before);
  }
  const bool is_last = index + 1 == messages.size();
  out += "<|im_start|>assistant\n";
  if (index > query_index && (is_last || !reasoning.empty())) {
    out += "<think>\n";
    out += rstrip_newlines(lstrip_newlines(reasoning));  // reasoning_content.strip('\n')
    out += "\n</think>\n\n";
    out += lstrip_newlines(content);
  } else {
    out += content;
  }
  for (size_t c = 0; c < m.tool_calls.size(); ++c) {
    if (c > 0 || !content.empty()) out += '\n';
    out += "<tool_call>\n{\"name\": \"";
    out += m.tool_calls[c].name;
    out += "\", \"arguments\": ";
    out += m.tool_calls[c].arguments;
    out += "}\n</tool_call>";
  }
  out += "<|im_end|>\n";
}

}  // namespace

std::string render_chatml(std::span<const ChatMessage> messages, bool add_generation_prompt,
                          std::string_view bos_token) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role != "system" && m.role != "user" && m.role != "assistant" && m.role != "tool") {
      fail_unknown_role(m, i, "chatml", "system, user, assistant, tool");
    }
    POCKET_CHECK(m.tool_calls.empty() || m.role == "assistant", ErrorCode::kInvalidArgument,
                 "chat message ", i, " (role '", m.role,
                 "') has tool_calls; only assistant "
                 "messages may have them");
  }

  std::string out(bos_token);
  const size_t query_index = messages.empty() ? 0 : last_query_index(messages);
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "system" || m.role == "user") {
      out += "<|im_start|>";
      out += m.role;
      out += '\n';
      out += m.content;
      out += "<|im_end|>\n";
    } else if (m.role == "assistant") {
      append_assistant(out, messages, i, query_index);
    } else {  // tool: consecutive outputs share one user turn
      if (i == 0 || messages[i - 1].role != "tool") out += "<|im_start|>user";
      out += "\n<tool_response>\n";
      out += m.content;
      out += "\n</tool_response>";
      if (i + 1 == messages.size() || messages[i + 1].role != "tool") out += "<|im_end|>\n";
    }
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

}  // namespace pocket::chat_detail
