// ctest runs the golden-logit tests once per ISA with POCKET_ISA set (tests/CMakeLists.txt). On a
// CPU without that ISA every test of the binary is skipped, saying why, instead of failing at the
// first kernel lookup.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/gemm.h"

namespace pocket {
namespace {

class ForcedIsaEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* forced = std::getenv("POCKET_ISA");
    if (!forced || !*forced) return;
    for (Isa isa : kAllIsas) {
      if (isa_name(isa) == forced) {
        if (kernels_for(isa) == nullptr) {
          GTEST_SKIP() << "POCKET_ISA=" << forced << " is not available on this CPU or build";
        }
        return;
      }
    }
    FAIL() << "POCKET_ISA=" << forced << " names no ISA";
  }
};

[[maybe_unused]] ::testing::Environment* const kForcedIsa =
    ::testing::AddGlobalTestEnvironment(new ForcedIsaEnvironment);

}  // namespace
}  // namespace pocket
