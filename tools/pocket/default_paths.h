// Where the default model lives: $POCKET_SHARED/models/stories260K.gguf, else ../shared next to
// the working directory, else ../shared next to the source tree the binary was built in.
#pragma once

#include <string>

namespace pocket::cli {

std::string shared_dir();
std::string default_model_path();

}  // namespace pocket::cli
