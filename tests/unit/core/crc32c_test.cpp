#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace postern {
namespace {

// Check values of CRC-32C: the common "123456789" and RFC 3720 (iSCSI),
// appendix B.4.
TEST(Crc32c, MatchesPublishedCheckValues) {
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

// Lengths that are not a multiple of the 8-byte step take the tail path;
// one changed byte anywhere changes the sum.
TEST(Crc32c, EveryByteCounts) {
  std::string text(4099, 'x');
  auto sum = crc32c(text);
  for (std::size_t at : {0ul, 7ul, 8ul, 4095ul, 4098ul}) {
    auto changed = text;
    changed[at] = 'y';
    EXPECT_NE(crc32c(changed), sum) << "byte " << at;
  }
  EXPECT_NE(crc32c(std::string_view(text).substr(0, 4098)), sum);
}

}  // namespace
}  // namespace postern
