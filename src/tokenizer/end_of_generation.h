// Which tokens end a generation besides EOS: chat models stop at their end-of-turn token
// (<|im_end|>, <|eot_id|>, ...), which their config often does not call EOS.
#pragma once

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Fills spec->eog_ids with eos_id and every added / control token whose text is a known
// end-of-turn or end-of-text marker (the list llama.cpp uses).
void collect_end_of_generation_ids(TokenizerSpec* spec);

}  // namespace pocket
