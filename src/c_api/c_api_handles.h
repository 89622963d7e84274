// What the opaque handles of pocket.h hold. The model's data is reference-counted so that a
// context keeps it alive: bindings with garbage collectors (JNI, Swift) cannot promise to free
// contexts before their model.
#pragma once

#include <memory>
#include <utility>

#include "runtime/batch.h"
#include "runtime/context.h"
#include "runtime/model_loader.h"
#include "runtime/sampler.h"

struct pocket_model {
  std::shared_ptr<const pocket::LoadedModel> loaded;
};

struct pocket_context {
  pocket_context(std::shared_ptr<const pocket::LoadedModel> m, pocket::ContextParams params)
      : model(std::move(m)), ctx(*model->model, params) {}

  std::shared_ptr<const pocket::LoadedModel> model;  // declared first: ctx refers to it
  pocket::Context ctx;
  pocket::Batch batch;      // reused by every decode, so that decoding one token allocates nothing
  bool has_logits = false;  // false after a failed decode: its rows may be half-written
};

struct pocket_sampler {
  pocket_sampler(pocket::SamplingParams params, int n_vocab) : sampler(params, n_vocab) {}

  pocket::Sampler sampler;
};
