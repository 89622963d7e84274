// One error type for the whole engine: what failed and where (file, tensor, field, offset).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace pocket {

enum class ErrorCode {
  kInvalidArgument = 1,  // a flag, parameter or API argument is wrong
  kIo = 2,               // a file cannot be opened, read, mapped or written
  kFormat = 3,           // a file's content is malformed (GGUF, safetensors, JSON, tokenizer)
  kUnsupported = 4,      // well-formed but not something we run (type, architecture)
  kOutOfRange = 5,       // a size, count or index beyond what is allowed
  kInternal = 6,         // a bug: an invariant broke
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Concatenates anything streamable: cat("tensor '", name, "' has ", n, " dims").
template <typename... Args>
std::string cat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}

template <typename... Args>
[[noreturn]] void fail(ErrorCode code, Args&&... args) {
  throw Error(code, cat(std::forward<Args>(args)...));
}

// Checks an input condition (not an internal invariant) and throws with context when it is false.
#define POCKET_CHECK(cond, code, ...)            \
  do {                                           \
    if (!(cond)) ::pocket::fail(code, __VA_ARGS__); \
  } while (0)

}  // namespace pocket
