// libFuzzer target: see fuzz/entries/gguf.cpp for what is checked.
#include "entries/entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pocket::fuzz::gguf_input({data, size});
  return 0;
}
