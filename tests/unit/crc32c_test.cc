#include "base/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace semguard {
namespace {

TEST(Crc32cTest, CheckValueOfTheDigitsOneToNine) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(Crc32c(""), 0u); }

// The iSCSI test vectors of RFC 3720, appendix B.4.
TEST(Crc32cTest, Rfc3720ThirtyTwoZeroBytes) {
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

TEST(Crc32cTest, Rfc3720ThirtyTwoOnesBytes) {
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
}

TEST(Crc32cTest, Rfc3720IncreasingBytes) {
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(Crc32c(bytes), 0x46DD794Eu);
}

TEST(Crc32cTest, Rfc3720DecreasingBytes) {
  std::string bytes;
  for (int i = 31; i >= 0; --i) bytes += static_cast<char>(i);
  EXPECT_EQ(Crc32c(bytes), 0x113FDB5Cu);
}

TEST(Crc32cTest, OneFlippedBitChangesTheChecksum) {
  EXPECT_NE(Crc32c("set semid=1"), Crc32c("set semid=0"));
}

}  // namespace
}  // namespace semguard
