#include "runtime/chat_template.h"
#include "runtime/model_loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "shared_data.h"

namespace pocket {
namespace {

using nlohmann::json;

std::vector<ChatMessage> messages_from_json(const json& list) {
  std::vector<ChatMessage> out;
  for (const json& m : list) {
    ChatMessage msg{m.at("role").get<std::string>(),
                    m.at("content").is_null() ? "" : m.at("content").get<std::string>()};
    if (m.contains("tool_calls")) {
      for (const json& call : m.at("tool_calls")) {
        msg.tool_calls.push_back({call.at("type").get<std::string>(),
                                  call.at("function").at("name").get<std::string>(),
                                  call.at("function").at("arguments").get<std::string>()});
      }
    }
    out.push_back(std::move(msg));
  }
  return out;
}

std::string chat_template_of(const std::string& tokenizer_dir) {
  const std::string text = test::read_text_file(
      test::shared_path("tokenizers/" + tokenizer_dir + "/tokenizer_config.json"));
  return json::parse(text).at("chat_template").get<std::string>();
}

// Every case rendered by Hugging Face from the real DeepSeek-R1 template must match byte for byte.
TEST(ChatTemplateTest, DeepSeekR1SharedGoldens) {
  std::ifstream in(test::shared_path("golden/tokenizer/deepseek-r1-chat-template.jsonl"));
  ASSERT_TRUE(in) << "missing shared golden file";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    const std::vector<ChatMessage> messages = messages_from_json(c.at("messages"));
    EXPECT_EQ(
        render_chat(ChatFormat::kDeepSeekR1, messages, c.at("add_generation_prompt").get<bool>(),
                    c.at("bos_token").get<std::string>()),
        c.at("rendered").get<std::string>())
        << "case " << cases;
    ++cases;
  }
  EXPECT_EQ(cases, 8);
}

// ... and the rendered text must tokenize (without adding BOS again) to the listed ids, with the
// model's own tokenizer as the engine loads it.
TEST(ChatTemplateTest, DeepSeekR1SharedGoldenIds) {
  const auto tok = load_tokenizer(test::shared_path("tokenizers/deepseek-r1-distill-qwen"));
  std::ifstream in(test::shared_path("golden/tokenizer/deepseek-r1-chat-template.jsonl"));
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    const std::string text =
        render_chat(ChatFormat::kDeepSeekR1, messages_from_json(c.at("messages")),
                    c.at("add_generation_prompt").get<bool>(), c.at("bos_token").get<std::string>());
    EXPECT_EQ(tok->encode(text, /*add_bos=*/false), c.at("ids").get<std::vector<int32_t>>())
        << "case " << cases;
    ++cases;
  }
  EXPECT_EQ(cases, 8);
  EXPECT_EQ(detect_chat_format(tok->chat_template()), ChatFormat::kDeepSeekR1);
}

struct JinjaCase {
  const char* name;
  ChatFormat format;
  std::vector<ChatMessage> messages;
  bool add_generation_prompt;
  std::string bos_token;
  std::string expected;
};

// Expected texts rendered with jinja2 3.1 the way transformers' apply_chat_template does
// (sandboxed, trim_blocks, lstrip_blocks) from: the DeepSeek-R1 template in
// ../shared/tokenizers/deepseek-r1-distill-qwen, the Qwen3 template in ../shared/tokenizers/qwen3
// (assistant tool-call messages given content "" there, None for DeepSeek), and Meta's
// Llama-3-8B-Instruct template. They cover branches the shared goldens do not reach.
const std::vector<JinjaCase>& jinja_cases() {
  static const std::vector<JinjaCase> cases = {
      {"ds_two_systems_last_wins",
       ChatFormat::kDeepSeekR1,
       {{"system", "A."}, {"user", "u1"}, {"system", "B."}, {"user", "u2"}},
       true,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜>B.<｜User｜>u1<｜User｜>u2<｜Assistant｜><think>\n"},
      {"ds_empty",
       ChatFormat::kDeepSeekR1,
       {},
       true,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜><｜Assistant｜><think>\n"},
      {"ds_two_calls_two_outputs_then_answer",
       ChatFormat::kDeepSeekR1,
       {{"user", "Weather and time?"},
        {"assistant",
         "",
         {{"function", "get_weather", "{\"city\": \"Paris\"}"},
          {"function", "get_time", "{\"tz\": \"CET\"}"}}},
        {"tool", "{\"temp_c\": 18}"},
        {"tool", "{\"time\": \"12:00\"}"},
        {"assistant", "<think>x</think>Sunny, noon."},
        {"user", "Thanks"}},
       true,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜><｜User｜>Weather and "
       "time?<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_"
       "weather\n```json\n{\"city\": "
       "\"Paris\"}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n``"
       "`json\n{\"tz\": "
       "\"CET\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜><"
       "｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{\"temp_c\": "
       "18}<｜tool▁output▁end｜>\n<｜tool▁output▁begin｜>{\"time\": "
       "\"12:00\"}<｜tool▁output▁end｜><｜tool▁outputs▁end｜><think>x</think>Sunny, "
       "noon.<｜end▁of▁sentence｜><｜User｜>Thanks<｜Assistant｜><think>\n"},
      {"ds_second_tool_round",
       ChatFormat::kDeepSeekR1,
       {{"user", "q"},
        {"assistant", "", {{"function", "get_weather", "{\"city\": \"Paris\"}"}}},
        {"tool", "o1"},
        {"assistant", "a1"},
        {"user", "again"},
        {"assistant", "", {{"function", "get_time", "{\"tz\": \"CET\"}"}}},
        {"tool", "o2"}},
       true,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜><｜User｜>q<｜Assistant｜><｜tool▁calls▁begin｜><"
       "｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": "
       "\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>o1<"
       "｜tool▁output▁end｜><｜tool▁outputs▁end｜>a1<｜end▁of▁sentence｜><｜User｜>again\n<"
       "｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{\"tz\": "
       "\"CET\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>\n<"
       "｜tool▁output▁begin｜>o2<｜tool▁output▁end｜><｜tool▁outputs▁end｜>"},
      {"ds_tool_last_no_generation_prompt",
       ChatFormat::kDeepSeekR1,
       {{"user", "q"},
        {"assistant", "", {{"function", "get_weather", "{\"city\": \"Paris\"}"}}},
        {"tool", "o1"}},
       false,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜><｜User｜>q<｜Assistant｜><｜tool▁calls▁begin｜><"
       "｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": "
       "\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>o1<"
       "｜tool▁output▁end｜><｜tool▁outputs▁end｜>"},
      {"ds_many_think_ends",
       ChatFormat::kDeepSeekR1,
       {{"user", "q"}, {"assistant", "a</think>b</think>\nc"}, {"user", "r"}},
       false,
       "<｜begin▁of▁sentence｜>",
       "<｜begin▁of▁sentence｜><｜User｜>q<｜Assistant｜>\nc<｜end▁of▁sentence｜><｜User｜>r"},
      {"chatml_user",
       ChatFormat::kChatML,
       {{"user", "What is 2+2?"}},
       true,
       "",
       "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
      {"chatml_multi_turn",
       ChatFormat::kChatML,
       {{"system", "Be brief."},
        {"user", "Hi"},
        {"assistant", "Hello!"},
        {"user", "日本の首都は？"}},
       true,
       "",
       "<|im_start|>system\nBe "
       "brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>"
       "\n<|im_start|>user\n日本の首都は？<|im_end|>\n<|im_start|>assistant\n"},
      {"chatml_history_reasoning_dropped",
       ChatFormat::kChatML,
       {{"user", "Weather?"},
        {"assistant", "<think>\nLet me think.\n</think>\n\nIt is sunny."},
        {"user", "And tomorrow?"}},
       true,
       "",
       "<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\nIt is "
       "sunny.<|im_end|>\n<|im_start|>user\nAnd tomorrow?<|im_end|>\n<|im_start|>assistant\n"},
      {"chatml_last_assistant_keeps_reasoning",
       ChatFormat::kChatML,
       {{"user", "Weather?"}, {"assistant", "<think>\nLet me think.\n</think>\n\nIt is sunny."}},
       false,
       "",
       "<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\n<think>\nLet me "
       "think.\n</think>\n\nIt is sunny.<|im_end|>\n"},
      {"chatml_last_assistant_without_reasoning",
       ChatFormat::kChatML,
       {{"user", "Weather?"}, {"assistant", "\nIt is sunny."}},
       false,
       "",
       "<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nIt is "
       "sunny.<|im_end|>\n"},
      {"chatml_tool_turn",
       ChatFormat::kChatML,
       {{"system", "S"},
        {"user", "Weather and time?"},
        {"assistant",
         "<think>\nNeed tools.\n</think>\n\n",
         {{"function", "get_weather", "{\"city\": \"Paris\"}"},
          {"function", "get_time", "{\"tz\": \"CET\"}"}}},
        {"tool", "{\"temp_c\": 18}"},
        {"tool", "{\"time\": \"12:00\"}"},
        {"assistant", "<think>\nGot them.\n</think>\n\nSunny, noon."}},
       true,
       "",
       "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nWeather and "
       "time?<|im_end|>\n<|im_start|>assistant\n<think>\nNeed "
       "tools.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
       "\"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"tz\": "
       "\"CET\"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n{\"temp_c\": "
       "18}\n</tool_response>\n<tool_response>\n{\"time\": "
       "\"12:00\"}\n</tool_response><|im_end|>\n<|im_start|>assistant\n<think>\nGot "
       "them.\n</think>\n\nSunny, noon.<|im_end|>\n<|im_start|>assistant\n"},
      {"chatml_content_and_call",
       ChatFormat::kChatML,
       {{"user", "q"},
        {"assistant", "Checking.", {{"function", "get_weather", "{\"city\": \"Paris\"}"}}},
        {"tool", "o"}},
       true,
       "",
       "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nChecking.\n<tool_call>\n{\"name\": "
       "\"get_weather\", \"arguments\": {\"city\": "
       "\"Paris\"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\no\n</"
       "tool_response><|im_end|>\n<|im_start|>assistant\n"},
      {"chatml_system_later_and_wrapped_tool_response",
       ChatFormat::kChatML,
       {{"user", "q"},
        {"assistant", "a"},
        {"system", "S2"},
        {"user", "<tool_response>\nx\n</tool_response>"},
        {"assistant", "<think>r</think>b"}},
       false,
       "",
       "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\na<|im_end|>\n<|im_start|>system\nS2<|"
       "im_end|>\n<|im_start|>user\n<tool_response>\nx\n</"
       "tool_response><|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\nb<|im_end|>\n"},
      {"llama3_system_user",
       ChatFormat::kLlama3,
       {{"system", "You are helpful."}, {"user", "Hi"}},
       true,
       "<|begin_of_text|>",
       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are "
       "helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_"
       "id|>assistant<|end_header_id|>\n\n"},
      {"llama3_trim",
       ChatFormat::kLlama3,
       {{"user", " \t hi there \n\n"},
        {"assistant", "\u3000\u00a0Hello\u2028"},
        {"user",
         "\x1c"
         " x\u200b"}},
       true,
       "<|begin_of_text|>",
       "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi "
       "there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|><|start_"
       "header_id|>user<|end_header_id|>\n\nx\u200b<|eot_id|><|start_header_id|>assistant<|end_"
       "header_id|>\n\n"},
      {"llama3_ipython_no_prompt",
       ChatFormat::kLlama3,
       {{"user", "q"}, {"ipython", " {\"a\": 1} "}},
       false,
       "<|begin_of_text|>",
       "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|><|start_header_id|>"
       "ipython<|end_header_id|>\n\n{\"a\": 1}<|eot_id|>"},
      {"llama3_empty",
       ChatFormat::kLlama3,
       {},
       true,
       "<|begin_of_text|>",
       "<|start_header_id|>assistant<|end_header_id|>\n\n"},
  };
  return cases;
}

TEST(ChatTemplateTest, MatchesJinjaRenderings) {
  for (const JinjaCase& c : jinja_cases()) {
    EXPECT_EQ(render_chat(c.format, c.messages, c.add_generation_prompt, c.bos_token), c.expected)
        << c.name;
  }
}

TEST(ChatTemplateTest, DetectsFormatFromRealTemplates) {
  EXPECT_EQ(detect_chat_format(chat_template_of("deepseek-r1-distill-qwen")),
            ChatFormat::kDeepSeekR1);
  EXPECT_EQ(detect_chat_format(chat_template_of("qwen3")), ChatFormat::kChatML);
  EXPECT_EQ(
      detect_chat_format("{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' }}"),
      ChatFormat::kLlama3);
  EXPECT_EQ(detect_chat_format("{{ '<｜Assistant｜>' }}"), ChatFormat::kDeepSeekR1);
  EXPECT_EQ(detect_chat_format("{% for m in messages %}{{ m.content }}{% endfor %}"), std::nullopt);
  EXPECT_EQ(detect_chat_format(""), std::nullopt);
}

TEST(ChatTemplateTest, ParsesCliNames) {
  for (ChatFormat f : {ChatFormat::kDeepSeekR1, ChatFormat::kChatML, ChatFormat::kLlama3}) {
    EXPECT_EQ(parse_chat_format(chat_format_name(f)), f);
  }
  EXPECT_EQ(parse_chat_format("deepseek-r1"), ChatFormat::kDeepSeekR1);
  EXPECT_EQ(parse_chat_format("chatml"), ChatFormat::kChatML);
  EXPECT_EQ(parse_chat_format("llama3"), ChatFormat::kLlama3);
  EXPECT_EQ(parse_chat_format("ChatML"), std::nullopt);
  EXPECT_EQ(parse_chat_format(""), std::nullopt);
}

TEST(ChatTemplateTest, OnlyDeepSeekOpensReasoningInThePrompt) {
  EXPECT_TRUE(generation_prompt_opens_reasoning(ChatFormat::kDeepSeekR1));
  EXPECT_FALSE(generation_prompt_opens_reasoning(ChatFormat::kChatML));
  EXPECT_FALSE(generation_prompt_opens_reasoning(ChatFormat::kLlama3));
  const std::vector<ChatMessage> messages = {{"user", "hi"}};
  EXPECT_TRUE(render_chat(ChatFormat::kDeepSeekR1, messages, true, "").ends_with("<think>\n"));
}

void expect_invalid(ChatFormat format, const std::vector<ChatMessage>& messages,
                    const std::vector<std::string>& fragments) {
  try {
    render_chat(format, messages, true, "");
    ADD_FAILURE() << "no error for format " << chat_format_name(format);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    for (const std::string& f : fragments) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what() << " lacks " << f;
    }
  }
}

TEST(ChatTemplateTest, UnknownRoleNamesRoleAndIndex) {
  const std::vector<ChatMessage> messages = {{"user", "a"}, {"assistant", "b"}, {"bot", "c"}};
  for (ChatFormat f : {ChatFormat::kDeepSeekR1, ChatFormat::kChatML, ChatFormat::kLlama3}) {
    expect_invalid(f, messages, {"message 2", "'bot'"});
  }
  expect_invalid(ChatFormat::kChatML, {{"", "x"}}, {"message 0", "''"});
}

TEST(ChatTemplateTest, RefusesToolCallsItCannotRender) {
  const ChatToolCall call{"function", "f", "{}"};
  // DeepSeek's template would silently drop calls on a message that also has content.
  expect_invalid(ChatFormat::kDeepSeekR1, {{"user", "q"}, {"assistant", "text", {call}}},
                 {"message 1", "tool_calls"});
  expect_invalid(ChatFormat::kDeepSeekR1, {{"user", "q", {call}}}, {"message 0", "tool_calls"});
  expect_invalid(ChatFormat::kChatML, {{"tool", "q", {call}}}, {"message 0", "tool_calls"});
  expect_invalid(ChatFormat::kLlama3, {{"user", "q"}, {"assistant", "", {call}}},
                 {"message 1", "tool_calls"});
}

TEST(ChatTemplateTest, Llama3WritesToolAsIpython) {
  const std::vector<ChatMessage> messages = {{"tool", " 42 "}};
  EXPECT_EQ(render_chat(ChatFormat::kLlama3, messages, false, "<|begin_of_text|>"),
            "<|begin_of_text|><|start_header_id|>ipython<|end_header_id|>\n\n42<|eot_id|>");
}

TEST(ChatTemplateTest, ChatMLBosAndEmptyConversation) {
  // Qwen3's template fails on an empty list; we render the bare generation prompt.
  EXPECT_EQ(render_chat(ChatFormat::kChatML, {}, true, ""), "<|im_start|>assistant\n");
  const std::vector<ChatMessage> messages = {{"user", "hi"}};
  EXPECT_EQ(render_chat(ChatFormat::kChatML, messages, false, "<s>"),
            "<s><|im_start|>user\nhi<|im_end|>\n");
}

TEST(ChatTemplateTest, Llama3StripStopsAtInvalidUtf8) {
  // A lone continuation byte or a truncated sequence is not whitespace: nothing past it goes.
  const std::vector<ChatMessage> messages = {{"user", " \x80 a \xe3\x80"}};
  EXPECT_EQ(render_chat(ChatFormat::kLlama3, messages, false, ""),
            "<|start_header_id|>user<|end_header_id|>\n\n\x80 a \xe3\x80<|eot_id|>");
}

}  // namespace
}  // namespace pocket
