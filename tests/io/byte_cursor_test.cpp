#include "io/byte_cursor.h"

#include <gtest/gtest.h>

#include <vector>

#include "io_test_util.h"

namespace pocket {
namespace {

TEST(ByteCursor, ReadsLittleEndianAndStopsAtTheEnd) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0xaa, 'h', 'i'};
  ByteCursor c(bytes);
  EXPECT_EQ(c.read<uint32_t>("word"), 0x04030201u);
  EXPECT_EQ(c.offset(), 4u);
  EXPECT_EQ(c.read<uint8_t>("byte"), 0xaa);
  EXPECT_EQ(c.remaining(), 2u);
  test::expect_error([&] { c.read<uint32_t>("a length"); }, ErrorCode::kFormat,
                     {"a length", "at byte 5", "needs 4 bytes, 2 left"});
  EXPECT_EQ(c.offset(), 5u);  // a failed read does not move
  EXPECT_EQ(c.take_string(2, "name"), "hi");
  EXPECT_EQ(c.remaining(), 0u);
  EXPECT_THROW(c.skip(1, "padding"), Error);
  EXPECT_NO_THROW(c.skip(0, "nothing"));
}

TEST(ByteCursor, HugeLengthsDoNotWrapAround) {
  const std::vector<uint8_t> bytes(16);
  ByteCursor c(bytes);
  c.skip(8, "head");
  EXPECT_THROW(c.take(~uint64_t{0}, "huge"), Error);
  EXPECT_THROW(c.take(~uint64_t{0} - 7, "huge"), Error);
  EXPECT_EQ(c.offset(), 8u);
}

}  // namespace
}  // namespace pocket
