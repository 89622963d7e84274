// What each fuzz target does with one input, shared by the libFuzzer binaries (fuzz/fuzz_*.cpp)
// and by the replay test of the regular build (tests/model/fuzz_inputs_test.cpp), so that a
// crashing input kept in fuzz/regressions/ keeps being checked without libFuzzer.
//
// Each entry swallows pocket::Error (the expected outcome of bad input) and lets everything else
// escape. A broken property (e.g. a tokenizer round trip) throws PropertyFailure, which is not a
// pocket::Error: under libFuzzer it ends in std::terminate, so the input is reported as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pocket::fuzz {

class PropertyFailure : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

using Input = std::span<const uint8_t>;

void gguf_input(Input data);
void safetensors_input(Input data);
void tokenizer_input(Input data);
void tokenizer_json_input(Input data);
void hf_config_input(Input data);

struct Target {
  std::string_view name;  // the folder name under fuzz/corpus and fuzz/regressions
  void (*run)(Input);
};

// All of the above, by name (fuzz_<name> is the libFuzzer binary).
std::span<const Target> targets();

// The shared test data: $POCKET_SHARED, else the folder configured at build time.
std::string shared_dir();

}  // namespace pocket::fuzz
