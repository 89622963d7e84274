// A Hugging Face model folder: tokenizer.json when there is one, else tokenizer.model.
#pragma once

#include <string>

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Throws Error(kIo) naming the folder when it has neither file.
TokenizerSpec load_hf_tokenizer_dir(const std::string& dir);

}  // namespace pocket
