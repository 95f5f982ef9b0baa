#include "core/base64.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Base64, RoundTripsRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
}

TEST(Base64, RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(Base64, SkipsLineBreaksAndAcceptsMissingPadding) {
  EXPECT_EQ(base64_decode("Zm9v\r\nYmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
}

TEST(Base64, SkipsBlanksAroundAndInsideThePadding) {
  EXPECT_EQ(base64_decode(" Zm9v\tYg =\r\n= \n"), "foob");
}

TEST(Base64, RefusesGarbage) {
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
  EXPECT_FALSE(base64_decode("Zm9vY"));
  EXPECT_FALSE(base64_decode("Zg==Zg=="));
  EXPECT_FALSE(base64_decode("Zg==="));
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Zm9v-_"));  // the URL-safe alphabet
}

TEST(Base64, RefusesANulByte) {
  EXPECT_FALSE(base64_decode(std::string_view("Zm9v\0Zm9v", 9)));
  EXPECT_FALSE(base64_decode(std::string_view("Zm9v\0", 5)));
}

TEST(Base64, RefusesNonCanonicalTrailingBits) {
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_FALSE(base64_decode("Zh=="));
  EXPECT_FALSE(base64_decode("Zh"));
}

}  // namespace
}  // namespace postern
