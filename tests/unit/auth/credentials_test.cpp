#include "auth/credentials.h"

#include <gtest/gtest.h>

#include <set>

namespace postern::auth {
namespace {

TEST(Credentials, SecretsAreLongRandomAndDistinct) {
  ASSERT_TRUE(init_crypto());
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto s = generate_api_secret();
    EXPECT_EQ(s.rfind("pst_", 0), 0u);
    EXPECT_EQ(s.size(), 4u + 43u);
    EXPECT_EQ(s.find_first_of("+/=\n "), std::string::npos);  // URL-safe, one token
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Credentials, SecretHashIsSha256) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1
  auto h = hash_api_secret("abc");
  ASSERT_EQ(h.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0xba);
  EXPECT_EQ(static_cast<unsigned char>(h[31]), 0xad);
}

TEST(Credentials, PasswordsVerifyOnlyWithTheRightPassword) {
  ASSERT_TRUE(init_crypto());
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*hash, "correct horse"));
  EXPECT_FALSE(verify_password(*hash, "correct horse "));
  EXPECT_FALSE(verify_password(*hash, ""));
  EXPECT_FALSE(verify_password("garbage", "correct horse"));
}

}  // namespace
}  // namespace postern::auth
