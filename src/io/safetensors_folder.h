// The weights of a Hugging Face model folder: model.safetensors, or the shards listed by the
// weight_map of model.safetensors.index.json, each opened (mapped) once. The result is one set of
// tensor views by Hugging Face name, valid as long as this object (or a copy) lives.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/safetensors.h"

namespace pocket {

class SafetensorsFolder {
 public:
  // Error(kIo) when neither file exists or a shard listed in the index is missing (named in the
  // message); Error(kFormat) for a malformed index, a tensor the index places in a shard that does
  // not hold it, or a tensor name present in two shards.
  static SafetensorsFolder open(const std::string& dir);

  // Shard by shard (index order), each sorted by position in its file.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find_tensor(std::string_view name) const;
  const std::vector<SafetensorsFile>& shards() const { return shards_; }

 private:
  void add_shard(SafetensorsFile shard);

  std::vector<SafetensorsFile> shards_;
  std::vector<TensorView> tensors_;
  std::vector<size_t> shard_of_;  // for each tensor, its index in shards_
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace pocket
