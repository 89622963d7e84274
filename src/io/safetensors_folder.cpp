#include "io/safetensors_folder.h"

#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/mapped_file.h"
#include "io/json_guard.h"

namespace pocket {
namespace {

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr const char* kSingleName = "model.safetensors";

// A shard must be a plain file name inside the folder: an index must not reach elsewhere.
bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\\') == std::string_view::npos;
}

struct Index {
  std::vector<std::string> shards;           // in order of first mention
  std::map<std::string, std::string> where;  // tensor -> shard
};

Index read_index(const std::string& path) {
  const MappedFile file(path);
  POCKET_CHECK(file.size() <= SafetensorsFile::kMaxHeaderBytes, ErrorCode::kFormat, "'", path,
               "' is ", file.size(), " bytes, more than an index can need");
  const std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
  const nlohmann::json json = parse_untrusted_json(text, path);
  const auto map_it = json.is_object() ? json.find("weight_map") : json.end();
  POCKET_CHECK(map_it != json.end() && map_it->is_object(), ErrorCode::kFormat, "'", path,
               "' has no \"weight_map\" object");
  Index index;
  std::set<std::string> seen;
  for (const auto& [tensor, shard] : map_it->items()) {
    POCKET_CHECK(shard.is_string(), ErrorCode::kFormat, "'", path, "': the shard of tensor '",
                 tensor, "' is not a string");
    const auto& shard_name = shard.get_ref<const std::string&>();
    POCKET_CHECK(is_plain_file_name(shard_name), ErrorCode::kFormat, "'", path,
                 "': the shard of tensor '", tensor, "' is '", shard_name,
                 "', not a file name inside the folder");
    if (seen.insert(shard_name).second) index.shards.push_back(shard_name);
    index.where.emplace(tensor, shard_name);
  }
  return index;
}

}  // namespace

SafetensorsFolder SafetensorsFolder::open(const std::string& dir) {
  namespace fs = std::filesystem;
  SafetensorsFolder folder;
  const std::string index_path = (fs::path(dir) / kIndexName).string();
  if (!fs::exists(index_path)) {
    const std::string single = (fs::path(dir) / kSingleName).string();
    POCKET_CHECK(fs::exists(single), ErrorCode::kIo, "'", dir, "' has neither ", kSingleName,
                 " nor ", kIndexName);
    folder.add_shard(SafetensorsFile::open(single));
    return folder;
  }
  const Index index = read_index(index_path);
  for (const std::string& shard : index.shards) {
    const std::string path = (fs::path(dir) / shard).string();
    POCKET_CHECK(fs::exists(path), ErrorCode::kIo, "'", index_path, "' lists shard '", shard,
                 "', which is missing from '", dir, "'");
    folder.add_shard(SafetensorsFile::open(path));
  }
  for (const auto& [tensor, shard] : index.where) {
    const auto it = folder.index_.find(tensor);
    const bool found = it != folder.index_.end();
    POCKET_CHECK(
        found && fs::path(folder.shards_[folder.shard_of_[it->second]].name()).filename() == shard,
        ErrorCode::kFormat, "'", index_path, "' places tensor '", tensor, "' in '", shard,
        "', which does not hold it");
  }
  return folder;
}

void SafetensorsFolder::add_shard(SafetensorsFile shard) {
  const size_t shard_index = shards_.size();
  for (const TensorView& t : shard.tensors()) {
    const auto [it, inserted] = index_.emplace(t.name, tensors_.size());
    POCKET_CHECK(inserted, ErrorCode::kFormat, "tensor '", t.name, "' is in both '",
                 shards_[shard_of_[it->second]].name(), "' and '", shard.name(), "'");
    tensors_.push_back(t);
    shard_of_.push_back(shard_index);
  }
  shards_.push_back(std::move(shard));
}

const TensorView* SafetensorsFolder::find_tensor(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace pocket
