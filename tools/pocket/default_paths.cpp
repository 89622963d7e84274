#include "default_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pocket::cli {

std::string shared_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("POCKET_SHARED"); env && *env) return env;
  if (fs::exists("../shared/models")) return "../shared";
  // build/<preset>/pocket -> <repo>/../shared
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path candidate = exe.parent_path().parent_path().parent_path().parent_path() / "shared";
    if (fs::exists(candidate / "models")) return candidate.string();
  }
  return "../shared";
}

std::string default_model_path() { return shared_dir() + "/models/stories260K.gguf"; }

}  // namespace pocket::cli
