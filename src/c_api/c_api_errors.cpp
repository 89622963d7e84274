// pocket_last_error and the mapping of C++ exceptions to pocket_status.
#include <exception>
#include <new>
#include <string>

#include "c_api_guard.h"

namespace pocket::capi {
namespace {

// Per thread: a context may be used on one thread while another loads a model. When even the
// message cannot be stored (out of memory), a fixed text is shown instead.
thread_local std::string t_message;
thread_local const char* t_fixed = nullptr;

pocket_status status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return POCKET_ERR_INVALID_ARGUMENT;
    case ErrorCode::kIo:
      return POCKET_ERR_IO;
    case ErrorCode::kFormat:
      return POCKET_ERR_FORMAT;
    case ErrorCode::kUnsupported:
      return POCKET_ERR_UNSUPPORTED;
    case ErrorCode::kOutOfRange:
      return POCKET_ERR_OUT_OF_RANGE;
    case ErrorCode::kInternal:
      return POCKET_ERR_INTERNAL;
  }
  return POCKET_ERR_INTERNAL;
}

}  // namespace

pocket_status report(const char* fn, pocket_status status, const std::string& message) noexcept {
  try {
    t_message.assign(fn).append(": ").append(message);
    t_fixed = nullptr;
  } catch (...) {
    t_fixed = "out of memory (while recording an error message)";
  }
  return status;
}

pocket_status report_current_exception(const char* fn) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    return report(fn, status_of(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return report(fn, POCKET_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    // Anything not reported as a pocket::Error escaped a check: a bug, but one the app survives.
    return report(fn, POCKET_ERR_INTERNAL, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return report(fn, POCKET_ERR_INTERNAL, "unexpected exception of unknown type");
  }
}

}  // namespace pocket::capi

extern "C" {

const char* pocket_last_error(void) {
  using namespace pocket::capi;
  return t_fixed ? t_fixed : t_message.c_str();
}

// Kept in step with project(VERSION) in the top-level CMakeLists.txt.
const char* pocket_version(void) {
  return "0.1.0";
}

}  // extern "C"
