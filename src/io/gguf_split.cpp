#include "io/gguf_split.h"

#include <cstdio>
#include <filesystem>
#include <limits>

#include "core/error.h"

namespace pocket {
namespace {

// "-00002-of-00003.gguf" for part 1 (0-based) of 3.
std::string split_suffix(int split_no, int split_count) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%05d-of-%05d.gguf", split_no + 1, split_count);
  return buf;
}

// "part 2 of 3"
std::string part_text(int split_no, int split_count) {
  return cat("part ", split_no + 1, " of ", split_count);
}

int64_t require_split_key(const GgufFile& f, std::string_view key) {
  const std::optional<int64_t> v = f.get_int(key);
  if (!v) {
    fail(ErrorCode::kFormat, "'", f.name(), "' has no '", key,
         "' key, so it is not a part of a split model");
  }
  return *v;
}

}  // namespace

std::string gguf_split_path(std::string_view prefix, int split_no, int split_count) {
  return std::string(prefix) + split_suffix(split_no, split_count);
}

std::optional<std::string> gguf_split_prefix(std::string_view path, int split_no, int split_count) {
  const std::string suffix = split_suffix(split_no, split_count);
  if (path.size() <= suffix.size() || !path.ends_with(suffix)) return std::nullopt;
  return std::string(path.substr(0, path.size() - suffix.size()));
}

std::optional<GgufSplitInfo> gguf_split_info(const GgufFile& f) {
  const std::optional<int64_t> count = f.get_int(kGgufSplitCountKey);
  // gguf-split --merge leaves split.count 0; a one-part "split" is an ordinary file too.
  if (!count || *count == 0 || *count == 1) return std::nullopt;
  POCKET_CHECK(*count > 1 && *count <= std::numeric_limits<uint16_t>::max(), ErrorCode::kFormat,
               "'", f.name(), "': ", kGgufSplitCountKey, " is ", *count,
               ", not a number of parts (2..65535)");
  GgufSplitInfo info;
  info.split_count = static_cast<int>(*count);
  const int64_t no = require_split_key(f, kGgufSplitNoKey);
  POCKET_CHECK(no >= 0 && no < *count, ErrorCode::kFormat, "'", f.name(), "': ", kGgufSplitNoKey,
               " is ", no, ", outside 0..", *count - 1, " (", kGgufSplitCountKey, " is ", *count,
               ")");
  info.split_no = static_cast<int>(no);
  info.tensors_count = require_split_key(f, kGgufSplitTensorsCountKey);
  POCKET_CHECK(info.tensors_count >= 0, ErrorCode::kFormat, "'", f.name(),
               "': ", kGgufSplitTensorsCountKey, " is negative (", info.tensors_count, ")");
  return info;
}

void require_first_split_part(const GgufFile& f) {
  const std::optional<GgufSplitInfo> info = gguf_split_info(f);
  if (!info || info->split_no == 0) return;
  const std::optional<std::string> prefix =
      gguf_split_prefix(f.name(), info->split_no, info->split_count);
  if (prefix) {
    fail(ErrorCode::kInvalidArgument, "'", f.name(), "' is ",
         part_text(info->split_no, info->split_count), " (split.no ", info->split_no,
         ") of a split model; open its first part, '",
         gguf_split_path(*prefix, 0, info->split_count), "'");
  }
  fail(ErrorCode::kInvalidArgument, "'", f.name(), "' is ",
       part_text(info->split_no, info->split_count), " (split.no ", info->split_no,
       ") of a split model; open its first part (the file with split.no 0, named like PREFIX",
       split_suffix(0, info->split_count), ")");
}

GgufModelFiles GgufModelFiles::single(std::shared_ptr<const GgufFile> file) {
  POCKET_CHECK(file != nullptr, ErrorCode::kInvalidArgument, "GgufModelFiles::single: no file");
  if (const std::optional<GgufSplitInfo> info = gguf_split_info(*file)) {
    require_first_split_part(*file);
    fail(ErrorCode::kInvalidArgument, "'", file->name(), "' is part 1 of a split model of ",
         info->split_count, " parts; open it by path so that the other parts are opened too");
  }
  GgufModelFiles files;
  files.parts_.push_back(std::move(file));
  return files;
}

GgufModelFiles GgufModelFiles::open(const std::string& path) {
  auto first = std::make_shared<const GgufFile>(GgufFile::open(path));
  const std::optional<GgufSplitInfo> info = gguf_split_info(*first);
  if (!info) return single(std::move(first));
  require_first_split_part(*first);

  const int n = info->split_count;
  const std::optional<std::string> prefix = gguf_split_prefix(path, 0, n);
  if (!prefix) {
    fail(ErrorCode::kInvalidArgument, "'", path, "' is part 1 of a split model of ", n,
         " parts, but its name does not end in '", split_suffix(0, n),
         "', so the other parts cannot be found (their names must be PREFIX", split_suffix(1, n),
         " and so on; rename the files as gguf-split wrote them)");
  }
  const std::optional<std::string> arch = first->get_string("general.architecture");

  GgufModelFiles files;
  files.add_part(std::move(first));
  for (int k = 1; k < n; ++k) {
    const std::string part_path = gguf_split_path(*prefix, k, n);
    std::error_code ec;
    POCKET_CHECK(std::filesystem::exists(part_path, ec), ErrorCode::kIo, "split model '", path,
                 "': ", part_text(k, n), " should be '", part_path, "', which does not exist");
    auto part = std::make_shared<const GgufFile>(GgufFile::open(part_path));
    const std::string where =
        cat("'", part_path, "' (", part_text(k, n), " of split model '", path, "')");
    const int64_t part_count = require_split_key(*part, kGgufSplitCountKey);
    POCKET_CHECK(part_count == n, ErrorCode::kFormat, where, " has ", kGgufSplitCountKey, " ",
                 part_count, ", but part 1 has ", n, ": a part of another model?");
    const int64_t part_no = require_split_key(*part, kGgufSplitNoKey);
    POCKET_CHECK(part_no == k, ErrorCode::kFormat, where, " has ", kGgufSplitNoKey, " ", part_no,
                 ", but its name makes it ", part_text(k, n), " (split.no ", k,
                 "): renamed, or a part of another model?");
    const int64_t part_tensors = require_split_key(*part, kGgufSplitTensorsCountKey);
    POCKET_CHECK(part_tensors == info->tensors_count, ErrorCode::kFormat, where, " has ",
                 kGgufSplitTensorsCountKey, " ", part_tensors, ", but part 1 has ",
                 info->tensors_count, ": a part of another model?");
    if (const std::optional<std::string> part_arch = part->get_string("general.architecture")) {
      POCKET_CHECK(!arch || *part_arch == *arch, ErrorCode::kFormat, where,
                   " has general.architecture '", *part_arch, "', but part 1 has '", *arch,
                   "': a part of another model?");
    }
    files.add_part(std::move(part));
  }
  const auto total = static_cast<int64_t>(files.index_.size());
  POCKET_CHECK(total == info->tensors_count, ErrorCode::kFormat, "split model '", path, "': its ",
               n, " parts hold ", total, " tensors, but ", kGgufSplitTensorsCountKey, " is ",
               info->tensors_count, ": a part is from another model or incomplete");
  return files;
}

void GgufModelFiles::add_part(std::shared_ptr<const GgufFile> part) {
  const int k = static_cast<int>(parts_.size());
  for (const TensorView& t : part->tensors()) {
    const auto [it, inserted] = index_.try_emplace(t.name, Where{k, &t});
    POCKET_CHECK(inserted, ErrorCode::kFormat, "split model '",
                 (k == 0 ? part : parts_.front())->name(), "': tensor '", t.name, "' is in both '",
                 parts_[static_cast<size_t>(it->second.part)]->name(), "' and '", part->name(),
                 "'");
  }
  parts_.push_back(std::move(part));
}

const TensorView* GgufModelFiles::find_tensor(std::string_view name) const {
  if (parts_.size() == 1) return parts_.front()->find_tensor(name);
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.tensor;
}

int GgufModelFiles::part_of(std::string_view name) const {
  if (parts_.size() == 1) return parts_.front()->find_tensor(name) ? 0 : -1;
  const auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second.part;
}

size_t GgufModelFiles::n_tensors() const {
  return parts_.size() == 1 ? parts_.front()->tensors().size() : index_.size();
}

}  // namespace pocket
