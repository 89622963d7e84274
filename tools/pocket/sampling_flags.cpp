#include "sampling_flags.h"

#include "kv_type_flag.h"

namespace pocket::cli {

void add_generation_flags(CLI::App& cmd, GenerationFlags& f) {
  SamplingParams& s = f.params.sampling;
  cmd.add_option("-n,--max-tokens", f.params.max_tokens, "Tokens to generate at most")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--temp", s.temperature, "Temperature; 0 = greedy")->capture_default_str();
  cmd.add_option("--top-k", s.top_k, "Keep the k most likely tokens; 0 = off")
      ->capture_default_str();
  cmd.add_option("--top-p", s.top_p, "Nucleus sampling threshold; 1 = off")->capture_default_str();
  cmd.add_option("--min-p", s.min_p, "Drop tokens below min-p times the best; 0 = off")
      ->capture_default_str();
  cmd.add_option("--repeat-penalty", s.repeat_penalty, "Penalty for repeated tokens; 1 = off")
      ->capture_default_str();
  cmd.add_option("--repeat-last-n", s.repeat_last_n, "How many recent tokens the penalties see")
      ->capture_default_str();
  cmd.add_option("--presence-penalty", s.presence_penalty, "Subtracted once per seen token")
      ->capture_default_str();
  cmd.add_option("--frequency-penalty", s.frequency_penalty, "Subtracted per occurrence")
      ->capture_default_str();
  cmd.add_option("--seed", s.seed, "Random seed (same seed, same output)")->capture_default_str();
  cmd.add_option("--stop", f.params.stop, "Stop when this text is generated (repeatable)");
  cmd.add_flag("--ignore-eos", f.params.ignore_eos, "Keep generating after end-of-sequence");
  cmd.add_option("-t,--threads", f.threads, "Threads; 0 = all cores")
      ->check(CLI::Range(0, 512))
      ->capture_default_str();
  cmd.add_option("-c,--ctx-size", f.ctx, "Context size in tokens; 0 = the model's, at most 4096")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_kv_type_flag(cmd, f.kv_type);
  add_fast_math_flag(cmd, f.fast_math);
}

}  // namespace pocket::cli
