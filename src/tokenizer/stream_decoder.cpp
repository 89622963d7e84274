#include "tokenizer/stream_decoder.h"

#include "tokenizer/utf8.h"

namespace pocket {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special, bool continues_text)
    : tokenizer_(&tokenizer), skip_special_(skip_special), run_start_(!continues_text) {}

std::string StreamDecoder::push(int32_t id) {
  tokenizer_->append_decoded(id, skip_special_, &run_start_, &pending_);
  std::string out;
  pending_.erase(0, utf8_drain(pending_, /*final=*/false, &out));
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  utf8_drain(pending_, /*final=*/true, &out);
  pending_.clear();
  return out;
}

void StreamDecoder::reset() {
  pending_.clear();
  run_start_ = true;
}

}  // namespace pocket
