// Models: loading (GGUF file or Hugging Face folder) and what an app asks about them.
#include <memory>

#include "c_api_guard.h"
#include "c_api_handles.h"
#include "core/thread_pool.h"
#include "runtime/weight_repack.h"

using pocket::capi::guard;
using pocket::capi::guard_value;
using pocket::capi::require;

namespace {

const pocket::LoadedModel& loaded(const pocket_model* model) {
  require(model != nullptr, "model is NULL");
  return *model->loaded;
}

}  // namespace

extern "C" {

pocket_model_params pocket_model_default_params(void) {
  return {.repack = 1, .n_threads = 0};
}

pocket_status pocket_model_load(const char* path, pocket_model** out_model) {
  return pocket_model_load_with_params(path, pocket_model_default_params(), out_model);
}

pocket_status pocket_model_load_with_params(const char* path, pocket_model_params params,
                                            pocket_model** out_model) {
  return guard("pocket_model_load", [&] {
    require(out_model != nullptr, "out_model is NULL");
    *out_model = nullptr;
    require(path != nullptr, "path is NULL");
    require(params.n_threads >= 0, "params.n_threads is negative");
    auto lm = std::make_shared<pocket::LoadedModel>(pocket::load_model(path));
    if (params.repack != 0) {
      const int threads =
          params.n_threads > 0 ? params.n_threads : pocket::ThreadPool::default_threads();
      pocket::repack_weights(*lm->model, nullptr, threads);
    }
    *out_model = new pocket_model{std::move(lm)};
    return POCKET_OK;
  });
}

void pocket_model_free(pocket_model* model) {
  delete model;
}

int32_t pocket_model_n_vocab(const pocket_model* model) {
  return guard_value("pocket_model_n_vocab", int32_t{-1},
                     [&] { return static_cast<int32_t>(loaded(model).model->spec().n_vocab); });
}

int32_t pocket_model_n_ctx_train(const pocket_model* model) {
  return guard_value("pocket_model_n_ctx_train", int32_t{-1},
                     [&] { return static_cast<int32_t>(loaded(model).model->spec().n_ctx_train); });
}

int32_t pocket_model_bos(const pocket_model* model) {
  return guard_value("pocket_model_bos", int32_t{-1},
                     [&] { return loaded(model).tokenizer->bos(); });
}

int32_t pocket_model_eos(const pocket_model* model) {
  return guard_value("pocket_model_eos", int32_t{-1},
                     [&] { return loaded(model).tokenizer->eos(); });
}

int pocket_model_is_eog(const pocket_model* model, int32_t token) {
  return guard_value("pocket_model_is_eog", 0,
                     [&] { return loaded(model).tokenizer->is_eog(token) ? 1 : 0; });
}

}  // extern "C"
