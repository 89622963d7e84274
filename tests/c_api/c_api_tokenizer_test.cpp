// Tokenizing through the C API: golden ids, and the buffer-size protocol.
#include <pocket/pocket.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "c_api_test_util.h"

namespace pocket::test {
namespace {

// llama.cpp's ids for the shared stories260K cases, with and without BOS.
TEST(CApiTokenizerTest, MatchesGoldenIds) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  std::ifstream in(shared_path("golden/tokenizer/stories260K.jsonl"));
  ASSERT_TRUE(in) << "missing shared golden file";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json c = nlohmann::json::parse(line);
    const std::string text = c.at("text").get<std::string>();
    EXPECT_EQ(tokenize(model.get(), text, false), c.at("ids").get<std::vector<int32_t>>())
        << "case " << cases << ": " << text;
    EXPECT_EQ(tokenize(model.get(), text, true), c.at("ids_with_bos").get<std::vector<int32_t>>())
        << "case " << cases << ": " << text;
    ++cases;
  }
  EXPECT_EQ(cases, 49);
}

TEST(CApiTokenizerTest, TokenizeBufferProtocol) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::string text = "Once upon a time";
  const std::vector<int32_t> expected = {1, 403, 407, 261, 378};

  size_t n = 0;
  EXPECT_EQ(pocket_tokenize(model.get(), text.data(), text.size(), 1, 1, nullptr, 0, &n),
            POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, expected.size());
  EXPECT_TRUE(contains(pocket_last_error(), "5 tokens but capacity is 0")) << pocket_last_error();

  std::vector<int32_t> ids(expected.size() - 1, -7);
  n = 0;
  EXPECT_EQ(
      pocket_tokenize(model.get(), text.data(), text.size(), 1, 1, ids.data(), ids.size(), &n),
      POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, expected.size());
  EXPECT_EQ(ids, std::vector<int32_t>(expected.size() - 1, -7)) << "nothing is written";

  ids.assign(expected.size(), -7);
  EXPECT_EQ(
      pocket_tokenize(model.get(), text.data(), text.size(), 1, 1, ids.data(), ids.size(), &n),
      POCKET_OK);
  EXPECT_EQ(ids, expected);

  // text_len, not a NUL, ends the text.
  EXPECT_EQ(tokenize(model.get(), std::string("Once upon\0 junk", 9), false),
            tokenize(model.get(), "Once upon", false));
}

TEST(CApiTokenizerTest, EmptyAndNullText) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  size_t n = 9;
  int32_t id = -1;
  EXPECT_EQ(pocket_tokenize(model.get(), nullptr, 0, 1, 1, &id, 1, &n), POCKET_OK);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(id, 1);
  EXPECT_EQ(pocket_tokenize(model.get(), nullptr, 0, 0, 1, nullptr, 0, &n), POCKET_OK);
  EXPECT_EQ(n, 0u);

  EXPECT_EQ(pocket_tokenize(model.get(), nullptr, 4, 1, 1, &id, 1, &n),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "text is NULL but text_len is 4"))
      << pocket_last_error();
  EXPECT_EQ(pocket_tokenize(model.get(), "a", 1, 1, 1, nullptr, 3, &n),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "tokens is NULL")) << pocket_last_error();
  EXPECT_EQ(pocket_tokenize(model.get(), "a", 1, 1, 1, &id, 1, nullptr),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "n_tokens is NULL")) << pocket_last_error();
}

TEST(CApiTokenizerTest, DetokenizeBufferProtocol) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> ids = {403, 407, 261, 378};
  const std::string expected = "Once upon a time";

  size_t len = 0;
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), ids.size(), nullptr, 0, &len),
            POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(len, expected.size());

  // Room for the text but not its NUL: too small, and only an empty string is written.
  std::string buf(expected.size(), 'x');
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), ids.size(), buf.data(), buf.size(), &len),
            POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(len, expected.size());
  EXPECT_EQ(buf[0], '\0');
  EXPECT_TRUE(contains(pocket_last_error(), "needs 17 bytes")) << pocket_last_error();

  buf.assign(expected.size() + 1, 'x');
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), ids.size(), buf.data(), buf.size(), &len),
            POCKET_OK);
  EXPECT_EQ(len, expected.size());
  EXPECT_STREQ(buf.c_str(), expected.c_str());

  // No ids: an empty string, which still needs its NUL.
  EXPECT_EQ(pocket_detokenize(model.get(), nullptr, 0, nullptr, 0, &len),
            POCKET_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(len, 0u);
  char one = 'x';
  EXPECT_EQ(pocket_detokenize(model.get(), nullptr, 0, &one, 1, &len), POCKET_OK);
  EXPECT_EQ(one, '\0');
}

TEST(CApiTokenizerTest, DetokenizeRejectsBadIds) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> ids = {403, 512};
  char buf[64];
  size_t len = 0;
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), ids.size(), buf, sizeof buf, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "tokens[1] = 512 is outside the vocabulary (0..511)"))
      << pocket_last_error();
  const int32_t negative = -1;
  EXPECT_EQ(pocket_detokenize(model.get(), &negative, 1, buf, sizeof buf, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_detokenize(model.get(), nullptr, 2, buf, sizeof buf, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), 1, nullptr, 8, &len),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_detokenize(model.get(), ids.data(), 1, buf, sizeof buf, nullptr),
            POCKET_ERR_INVALID_ARGUMENT);
}

TEST(CApiTokenizerTest, RoundTripsStory) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::string text = "One day, she saw a big red ball in the park.";
  EXPECT_EQ(detokenize(model.get(), tokenize(model.get(), text, false)), text);
}

}  // namespace
}  // namespace pocket::test
