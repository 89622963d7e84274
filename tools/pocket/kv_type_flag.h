// --kv-type f32|f16|q8 and --fast-math: context flags shared by run, chat, bench and eval.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "kernels/gemm.h"

namespace pocket::cli {

void add_kv_type_flag(CLI::App& cmd, KvType& kv_type, const std::string& name = "--kv-type",
                      const std::string& what = "KV cache storage");

// ContextParams::fast_math.
void add_fast_math_flag(CLI::App& cmd, bool& fast_math, const std::string& name = "--fast-math",
                        const std::string& what = "");

// "f32", "f16" or "q8", as the flag spells it.
const char* kv_type_name(KvType kv_type);

}  // namespace pocket::cli
