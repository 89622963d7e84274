#include "quant/mix_policy.h"

#include <cctype>

#include "core/error.h"

namespace pocket::quant {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

int64_t parse_count(const std::string& s, const std::string& rule) {
  POCKET_CHECK(!s.empty() && s.size() < 7 && s.find_first_not_of("0123456789") == std::string::npos,
               ErrorCode::kInvalidArgument, "mix rule '", rule, "': '", s,
               "' is not a layer number");
  return std::stoll(s);
}

DType parse_type(const std::string& s, int group, Scheme scheme, const std::string& rule) {
  if (s == "4" || s == "8")
    return group_type(s == "4" ? 4 : 8, group, s == "8" ? Scheme::kSym : scheme, false);
  if (s == "fp8") return DType::kPFP8_G128;
  const auto t = dtype_from_name(s);
  const bool writable = t && (*t == DType::kF32 || *t == DType::kF16 || *t == DType::kBF16 ||
                              *t == DType::kQ8_0 || *t == DType::kQ4_0 || *t == DType::kQ4_1 ||
                              (static_cast<uint32_t>(*t) >= 100 && !dtype_info(*t).memory_only));
  POCKET_CHECK(writable, ErrorCode::kInvalidArgument, "mix rule '", rule, "': unknown type '", s,
               "' (use 4, 8, fp8, f16, bf16, f32, q8_0, q4_0, q4_1, pq8_g64, pq8_g128, pq4_g64, "
               "pq4_g128, pq4a_g64, pq4a_g128, pfp8_g128)");
  return *t;
}

}  // namespace

const std::vector<MixPreset>& mix_presets() {
  static const std::vector<MixPreset> presets = {
      {"edges8",
       "token_embd.weight=8,output.weight=8,*attn_v.weight@ends1=8,*ffn_down.weight@ends1=8,*=4",
       "embedding, output, and attention V / FFN down of the first and last block at 8 bits; "
       "the rest at 4"},
      {"q4_k_m", "output.weight=8,*attn_v.weight@ends1=8,*ffn_down.weight@ends1=8,*=4",
       "about the size of llama.cpp's Q4_K_M with group 128 (output, and attention V and FFN "
       "down of the first and last block at 8 bits, the rest at 4)"},
  };
  return presets;
}

bool glob_match(const std::string& glob, const std::string& name) {
  // Iterative matcher with backtracking to the last '*'.
  size_t g = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = n;
    } else if (star != std::string::npos) {
      g = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

MixPolicy::MixPolicy(const std::string& text_in, int group, Scheme scheme, int64_t n_layer) {
  text_ = trim(text_in);
  if (text_.find('=') == std::string::npos) {
    const MixPreset* found = nullptr;
    for (const auto& p : mix_presets()) {
      if (p.name == text_) found = &p;
    }
    if (!found) {
      std::string names;
      for (const auto& p : mix_presets()) names += " " + p.name;
      fail(ErrorCode::kInvalidArgument, "--mix '", text_,
           "' is neither a policy (rules glob=type) nor a preset (presets:", names, ")");
    }
    text_ = found->policy;
  }
  size_t pos = 0;
  while (pos <= text_.size()) {
    size_t comma = text_.find(',', pos);
    if (comma == std::string::npos) comma = text_.size();
    const std::string rule = trim(text_.substr(pos, comma - pos));
    pos = comma + 1;
    if (rule.empty()) continue;
    const size_t eq = rule.rfind('=');
    POCKET_CHECK(eq != std::string::npos && eq > 0, ErrorCode::kInvalidArgument, "mix rule '", rule,
                 "' is not glob=type");
    Rule r;
    std::string lhs = trim(rule.substr(0, eq));
    r.type = parse_type(trim(rule.substr(eq + 1)), group, scheme, rule);
    if (const size_t at = lhs.find('@'); at != std::string::npos) {
      const std::string sel = lhs.substr(at + 1);
      lhs = lhs.substr(0, at);
      if (sel.rfind("first", 0) == 0) {
        r.layer_lo = 0;
        r.layer_hi = parse_count(sel.substr(5), rule) - 1;
      } else if (sel.rfind("last", 0) == 0) {
        r.layer_lo = n_layer - parse_count(sel.substr(4), rule);
        r.layer_hi = n_layer - 1;
      } else if (sel.rfind("ends", 0) == 0) {
        const int64_t k = parse_count(sel.substr(4), rule);
        r.layer_lo = 0;
        r.layer_hi = k - 1;
        r.tail_lo = n_layer - k;
      } else if (const size_t dash = sel.find('-'); dash != std::string::npos) {
        r.layer_lo = parse_count(sel.substr(0, dash), rule);
        r.layer_hi = parse_count(sel.substr(dash + 1), rule);
      } else {
        r.layer_lo = r.layer_hi = parse_count(sel, rule);
      }
    }
    r.glob = lhs;
    rules_.push_back(std::move(r));
  }
}

std::optional<DType> MixPolicy::type_for(const std::string& name, int64_t layer) const {
  for (const Rule& r : rules_) {
    if (!glob_match(r.glob, name)) continue;
    if (r.layer_lo >= 0) {
      const bool in_head = layer >= r.layer_lo && layer <= r.layer_hi;
      const bool in_tail = r.tail_lo >= 0 && layer >= r.tail_lo;
      if (layer < 0 || !(in_head || in_tail)) continue;
    }
    return r.type;
  }
  return std::nullopt;
}

}  // namespace pocket::quant
