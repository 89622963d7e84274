// Meta's Llama-3 instruct template:
//   bos_token (before the first message only) + '<|start_header_id|>' + role +
//   '<|end_header_id|>\n\n' + content|trim + '<|eot_id|>', then the assistant header as the
//   generation prompt.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "runtime/chat_template_formats.h"

namespace pocket::chat_detail {
namespace {

// Jinja's trim is Python's str.strip(): it removes Unicode whitespace, not only ASCII.
bool is_python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

// Decodes the UTF-8 sequence of `len` bytes at s; returns 0xFFFFFFFF if it is not well formed
// (such bytes are never whitespace, so stripping stops there).
uint32_t decode_utf8(std::string_view s, size_t len) {
  constexpr uint32_t kBad = 0xFFFFFFFFu;
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (len == 1) return b0 < 0x80 ? b0 : kBad;
  uint32_t cp = b0 & (0xff >> (len + 1));
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xc0) != 0x80) return kBad;
    cp = (cp << 6) | (b & 0x3f);
  }
  return cp;
}

size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 0;
}

std::string_view python_strip(std::string_view s) {
  while (!s.empty()) {
    const size_t len = utf8_length(static_cast<unsigned char>(s.front()));
    if (len == 0 || len > s.size() || !is_python_space(decode_utf8(s, len))) break;
    s.remove_prefix(len);
  }
  while (!s.empty()) {
    size_t start = s.size() - 1;  // back up over continuation bytes to the lead byte
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) {
      --start;
    }
    const size_t len = s.size() - start;
    if (utf8_length(static_cast<unsigned char>(s[start])) != len) break;
    if (!is_python_space(decode_utf8(s.substr(start), len))) break;
    s.remove_suffix(len);
  }
  return s;
}

}  // namespace

std::string render_llama3(std::span<const ChatMessage> messages, bool add_generation_prompt,
                          std::string_view bos_token) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    std::string_view role = m.role;
    if (role == "tool") role = "ipython";  // Llama-3.1's header for tool output
    if (role != "system" && role != "user" && role != "assistant" && role != "ipython") {
      fail_unknown_role(m, i, "llama3", "system, user, assistant, tool, ipython");
    }
    POCKET_CHECK(m.tool_calls.empty(), ErrorCode::kInvalidArgument, "chat message ", i,
                 " has tool_calls, which the llama3 chat format cannot render");
    if (i == 0) out += bos_token;  // the template adds it to the first message only
    out += "<|start_header_id|>";
    out += role;
    out += "<|end_header_id|>\n\n";
    out += python_strip(m.content);
    out += "<|eot_id|>";
  }
  if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

}  // namespace pocket::chat_detail
