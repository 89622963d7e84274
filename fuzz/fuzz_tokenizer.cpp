// libFuzzer target: see fuzz/entries/tokenizer.cpp for what is checked.
#include "entries/entries.h"

// Loads the tokenizers before the first timed input (the DeepSeek vocabulary takes seconds under
// ASan, which would otherwise count against -timeout).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  pocket::fuzz::tokenizer_input({});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pocket::fuzz::tokenizer_input({data, size});
  return 0;
}
