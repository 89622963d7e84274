// Runs fn, expects a pocket::Error with `code` whose message contains every one of `parts`.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string_view>

#include "core/error.h"

namespace pocket::test {

inline void expect_error(const std::function<void()>& fn, ErrorCode code,
                         std::initializer_list<std::string_view> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (std::string_view part : parts) {
      EXPECT_NE(std::string_view(e.what()).find(part), std::string_view::npos)
          << "'" << part << "' missing from: " << e.what();
    }
  }
}

}  // namespace pocket::test
