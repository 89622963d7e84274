// The C boundary: every exported function runs its body inside guard(), so that no exception
// reaches C code (that would be undefined behaviour in the caller). Failures become a
// pocket_status plus a thread-local message prefixed with the function's name.
#pragma once

#include <string>
#include <utility>

#include "core/error.h"
#include "pocket/pocket.h"

namespace pocket::capi {

// Records `message` (as "fn: message") as this thread's last error; returns `status`.
pocket_status report(const char* fn, pocket_status status, const std::string& message) noexcept;

// Maps the exception being handled to a status and records its message. Call only in a catch.
pocket_status report_current_exception(const char* fn) noexcept;

// Argument checks: throw Error(kInvalidArgument) with the parts concatenated.
template <typename... Args>
void require(bool ok, Args&&... what) {
  if (!ok) fail(ErrorCode::kInvalidArgument, std::forward<Args>(what)...);
}

template <typename Body>
pocket_status guard(const char* fn, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return report_current_exception(fn);
  }
}

// For functions that return a value rather than a status: `fallback` on failure.
template <typename T, typename Body>
T guard_value(const char* fn, T fallback, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    report_current_exception(fn);
    return fallback;
  }
}

}  // namespace pocket::capi
