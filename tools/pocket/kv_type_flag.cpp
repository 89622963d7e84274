#include "kv_type_flag.h"

#include <string>

namespace pocket::cli {

void add_kv_type_flag(CLI::App& cmd, KvType& kv_type, const std::string& name,
                      const std::string& what) {
  // Parsed as a string checked against the names (not an enum transformer): CLI11 would print
  // the enum's numeric values in its error message.
  cmd.add_option_function<std::string>(
         name,
         [&kv_type](const std::string& value) {
           for (KvType t : {KvType::kF32, KvType::kF16, KvType::kQ8}) {
             if (value == kv_type_name(t)) kv_type = t;
           }
         },
         what + ": f16 (default), f32, or q8 (int8, a scale per 32 values)")
      ->check(CLI::IsMember({"f32", "f16", "q8"}))
      ->default_str("f16");
}

void add_fast_math_flag(CLI::App& cmd, bool& fast_math, const std::string& name,
                        const std::string& what) {
  cmd.add_flag(name, fast_math,
               what.empty() ? "Cheaper exp in the attention softmax and SiLU (relative error "
                              "< 1e-4 instead of a few ulp; docs/ARCHITECTURE.md, Fast math)"
                            : what);
}

const char* kv_type_name(KvType kv_type) {
  switch (kv_type) {
    case KvType::kF32:
      return "f32";
    case KvType::kF16:
      return "f16";
    case KvType::kQ8:
      return "q8";
  }
  return "?";
}

}  // namespace pocket::cli
