// Chat prompts through the C API: a named format on a model without a template, and the errors.
#include <pocket/pocket.h>

#include <string>
#include <vector>

#include "c_api_test_util.h"

namespace pocket::test {
namespace {

std::string render(const pocket_model* model, const char* format,
                   const std::vector<pocket_chat_message>& messages, pocket_status* status) {
  size_t len = 0;
  *status = pocket_chat_apply_template(model, format, messages.data(), messages.size(), 1, nullptr,
                                       0, &len);
  if (*status != POCKET_ERR_BUFFER_TOO_SMALL) return {};
  std::string text(len + 1, '\0');
  *status = pocket_chat_apply_template(model, format, messages.data(), messages.size(), 1,
                                       text.data(), text.size(), &len);
  text.resize(len);
  return text;
}

// brown-qwen2-7m has no chat template of its own; DeepSeek-R1's format is asked for by name and
// rendered with this model's BOS text ("<s>").
TEST(CApiChatTest, NamedFormatStartsWithModelsBos) {
  ModelPtr model = load(brown_gguf_path());
  ASSERT_TRUE(model);
  const int32_t bos = pocket_model_bos(model.get());
  ASSERT_GE(bos, 0);
  const std::string bos_text = detokenize(model.get(), {bos});
  EXPECT_EQ(bos_text, "<s>");

  const std::vector<pocket_chat_message> messages = {{"system", "Be brief."},
                                                     {"user", "What is 2+2?"}};
  pocket_status st = POCKET_OK;
  const std::string text = render(model.get(), "deepseek-r1", messages, &st);
  ASSERT_EQ(st, POCKET_OK) << pocket_last_error();
  EXPECT_EQ(text.rfind(bos_text, 0), 0u) << text;
  EXPECT_EQ(text, "<s>Be brief.<｜User｜>What is 2+2?<｜Assistant｜><think>\n");
}

TEST(CApiChatTest, BufferProtocol) {
  ModelPtr model = load(brown_gguf_path());
  ASSERT_TRUE(model);
  const pocket_chat_message msg = {"user", "Hi"};
  const std::string expected = "<s><｜User｜>Hi<｜Assistant｜><think>\n";
  size_t len = 0;
  std::string buf(expected.size(), 'x');
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "deepseek-r1", &msg, 1, 1, buf.data(),
                                       buf.size(), &len),
            POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(len, expected.size());
  EXPECT_EQ(buf[0], '\0');
  buf.assign(expected.size() + 1, 'x');
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "deepseek-r1", &msg, 1, 1, buf.data(),
                                       buf.size(), &len),
            POCKET_OK);
  EXPECT_STREQ(buf.c_str(), expected.c_str());
}

TEST(CApiChatTest, ModelWithoutTemplateNeedsAFormat) {
  ModelPtr model = load(brown_gguf_path());
  ASSERT_TRUE(model);
  const std::vector<pocket_chat_message> messages = {{"user", "Hi"}};
  pocket_status st = POCKET_OK;
  render(model.get(), nullptr, messages, &st);
  EXPECT_EQ(st, POCKET_ERR_UNSUPPORTED);
  const std::string message = pocket_last_error();
  EXPECT_TRUE(contains(message, "has no chat template")) << message;
  EXPECT_TRUE(contains(message, "pass a format")) << message;
  EXPECT_TRUE(contains(message, "brown-qwen2-7m-f32.gguf")) << message;
}

TEST(CApiChatTest, BadArguments) {
  ModelPtr model = load(brown_gguf_path());
  ASSERT_TRUE(model);
  size_t len = 0;
  const pocket_chat_message ok = {"user", "Hi"};
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "vicuna", &ok, 1, 1, nullptr, 0, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "format 'vicuna'")) << pocket_last_error();

  const pocket_chat_message no_content[] = {{"user", "Hi"}, {"assistant", nullptr}};
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "chatml", no_content, 2, 1, nullptr, 0, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "messages[1].content is NULL")) << pocket_last_error();

  const pocket_chat_message bad_role = {"narrator", "Hi"};
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "chatml", &bad_role, 1, 1, nullptr, 0, &len),
            POCKET_ERR_INVALID_ARGUMENT)
      << pocket_last_error();

  EXPECT_EQ(pocket_chat_apply_template(model.get(), "chatml", nullptr, 1, 1, nullptr, 0, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_chat_apply_template(nullptr, "chatml", &ok, 1, 1, nullptr, 0, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_chat_apply_template(model.get(), "chatml", &ok, 1, 1, nullptr, 0, nullptr),
            POCKET_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace pocket::test
