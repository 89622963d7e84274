// Samplers: pocket::Sampler over rows of n_vocab logits.
#include <span>

#include "c_api_guard.h"
#include "c_api_handles.h"

using pocket::capi::guard;
using pocket::capi::require;

extern "C" {

pocket_sampler_params pocket_sampler_default_params(void) {
  const pocket::SamplingParams d;  // one source of truth for the defaults
  pocket_sampler_params p{};
  p.temperature = d.temperature;
  p.top_k = d.top_k;
  p.top_p = d.top_p;
  p.min_p = d.min_p;
  p.repeat_penalty = d.repeat_penalty;
  p.repeat_last_n = d.repeat_last_n;
  p.presence_penalty = d.presence_penalty;
  p.frequency_penalty = d.frequency_penalty;
  p.seed = d.seed;
  return p;
}

pocket_status pocket_sampler_create(const pocket_model* model, pocket_sampler_params params,
                                    pocket_sampler** out_sampler) {
  return guard("pocket_sampler_create", [&] {
    require(out_sampler != nullptr, "out_sampler is NULL");
    *out_sampler = nullptr;
    require(model != nullptr, "model is NULL");
    pocket::SamplingParams sp;
    sp.temperature = params.temperature;
    sp.top_k = params.top_k;
    sp.top_p = params.top_p;
    sp.min_p = params.min_p;
    sp.repeat_penalty = params.repeat_penalty;
    sp.repeat_last_n = params.repeat_last_n;
    sp.presence_penalty = params.presence_penalty;
    sp.frequency_penalty = params.frequency_penalty;
    sp.seed = params.seed;
    // The Sampler checks every field and names the first bad one.
    *out_sampler = new pocket_sampler(sp, static_cast<int>(model->loaded->model->spec().n_vocab));
    return POCKET_OK;
  });
}

void pocket_sampler_free(pocket_sampler* sampler) {
  delete sampler;
}

pocket_status pocket_sample(pocket_sampler* sampler, const float* logits, int32_t* out_token) {
  return guard("pocket_sample", [&] {
    require(out_token != nullptr, "out_token is NULL");
    *out_token = -1;
    require(sampler != nullptr, "sampler is NULL");
    require(logits != nullptr, "logits is NULL");
    pocket::Sampler& s = sampler->sampler;
    const int32_t id = s.sample(std::span<const float>(logits, static_cast<size_t>(s.n_vocab())));
    s.accept(id);
    *out_token = id;
    return POCKET_OK;
  });
}

pocket_status pocket_sampler_accept(pocket_sampler* sampler, int32_t token) {
  return guard("pocket_sampler_accept", [&] {
    require(sampler != nullptr, "sampler is NULL");
    sampler->sampler.accept(token);  // checks the id's range
    return POCKET_OK;
  });
}

void pocket_sampler_reset(pocket_sampler* sampler) {
  guard("pocket_sampler_reset", [&] {
    require(sampler != nullptr, "sampler is NULL");
    sampler->sampler.reset();
    return POCKET_OK;
  });
}

}  // extern "C"
