// Helpers shared by the fuzz entries (not part of the public entries.h interface).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "core/tensor.h"
#include "entries.h"
#include "tokenizer/tokenizer.h"

namespace pocket::fuzz {

// Runs fn; a pocket::Error is a correct answer to bad input and is dropped, anything else
// escapes. Nesting lets one failing step (a getter of the wrong type) not skip the next ones.
template <typename Fn>
void guarded(Fn&& fn) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error&) {
  }
}

// Throws PropertyFailure when cond is false, its message the parts streamed one after another.
// The message is only built on failure: this runs thousands of times a second.
template <typename... Parts>
void expect(bool cond, Parts&&... parts) {
  if (!cond) throw PropertyFailure(cat(std::forward<Parts>(parts)...));
}

// Streams bytes as printable ASCII with \xNN escapes (for messages about arbitrary text).
struct Escaped {
  std::string_view bytes;
};
std::ostream& operator<<(std::ostream& out, Escaped e);

// Dequantizes the first rows of a tensor whose type we can dequantize, at most a fixed number of
// values, so that a fuzz iteration stays cheap whatever the shape. Checks that the rows read lie
// inside t.nbytes (ASan then checks that t.nbytes lies inside the file).
void dequantize_first_rows(const TensorView& t);

// Encodes a few fixed texts and decodes them again: what a model's tokenizer meets first.
void exercise_tokenizer(const Tokenizer& tok);

}  // namespace pocket::fuzz
