// DeepSeek-R1's chat template (tokenizer_config.json of DeepSeek-R1 and its distills), emulated
// statement by statement. Its quirks are kept on purpose, since the model was trained on them:
//  - only the last system message counts, and it goes right after BOS wherever it was;
//  - earlier assistant turns lose everything up to their last `</think>`;
//  - `ns.is_first` is never reset, so only the very first tool call of the conversation opens
//    with <｜tool▁calls▁begin｜>, and every later call closes the calls block again;
//  - `ns.is_output_first` is never reset either: only the first tool output opens the outputs
//    block;
//  - an assistant turn right after tool outputs closes the outputs block instead of opening a turn.
#include <string>

#include "core/error.h"
#include "runtime/chat_template_formats.h"

namespace pocket::chat_detail {
namespace {

constexpr std::string_view kUser = "<｜User｜>";
constexpr std::string_view kAssistant = "<｜Assistant｜>";
constexpr std::string_view kEos = "<｜end▁of▁sentence｜>";
constexpr std::string_view kThinkEnd = "</think>";

void append_tool_call(std::string& out, const ChatToolCall& call) {
  out += call.type;
  out += "<｜tool▁sep｜>";
  out += call.name;
  out += "\n```json\n";
  out += call.arguments;
  out += "\n```<｜tool▁call▁end｜>";
}

// `content.split('</think>')[-1]`: the text after the last marker (all of it if there is none).
std::string_view after_last_think_end(std::string_view content) {
  const size_t pos = content.rfind(kThinkEnd);
  return pos == std::string_view::npos ? content : content.substr(pos + kThinkEnd.size());
}

}  // namespace

std::string render_deepseek_r1(std::span<const ChatMessage> messages, bool add_generation_prompt,
                               std::string_view bos_token) {
  std::string_view system_prompt;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "system") system_prompt = m.content;
    if (m.role != "system" && m.role != "user" && m.role != "assistant" && m.role != "tool") {
      fail_unknown_role(m, i, "deepseek-r1", "system, user, assistant, tool");
    }
    POCKET_CHECK(m.tool_calls.empty() || m.role == "assistant", ErrorCode::kInvalidArgument,
                 "chat message ", i, " (role '", m.role,
                 "') has tool_calls; only assistant "
                 "messages may have them");
    POCKET_CHECK(m.tool_calls.empty() || m.content.empty(), ErrorCode::kInvalidArgument,
                 "chat message ", i,
                 " has both content and tool_calls; the deepseek-r1 template "
                 "renders tool calls only for messages whose content is null (empty)");
  }

  std::string out(bos_token);
  out += system_prompt;
  bool is_first = false;  // names follow the template's `ns` fields
  bool is_tool = false;
  bool is_output_first = true;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") {
      is_tool = false;
      out += kUser;
      out += m.content;
    } else if (m.role == "assistant" && !m.tool_calls.empty()) {
      is_tool = false;
      for (const ChatToolCall& call : m.tool_calls) {
        if (!is_first) {
          out += "<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>";
          append_tool_call(out, call);
          is_first = true;
        } else {
          out += "\n<｜tool▁call▁begin｜>";
          append_tool_call(out, call);
          out += "<｜tool▁calls▁end｜><｜end▁of▁sentence｜>";
        }
      }
    } else if (m.role == "assistant") {
      if (is_tool) {
        out += "<｜tool▁outputs▁end｜>";
        out += m.content;
        out += kEos;
        is_tool = false;
      } else {
        out += kAssistant;
        out += after_last_think_end(m.content);
        out += kEos;
      }
    } else if (m.role == "tool") {
      is_tool = true;
      out += is_output_first ? "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>"
                             : "\n<｜tool▁output▁begin｜>";
      out += m.content;
      out += "<｜tool▁output▁end｜>";
      is_output_first = false;
    }
    // "system" renders nothing here: it was placed after BOS above.
  }
  if (is_tool) out += "<｜tool▁outputs▁end｜>";
  if (add_generation_prompt && !is_tool) {
    out += kAssistant;
    out += "<think>\n";
  }
  return out;
}

}  // namespace pocket::chat_detail
