// libFuzzer target: see fuzz/entries/hf_config.cpp for what is checked.
#include "entries/entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pocket::fuzz::hf_config_input({data, size});
  return 0;
}
