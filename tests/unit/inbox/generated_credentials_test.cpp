#include "inbox/generated_credentials.h"

#include <gtest/gtest.h>

#include <set>

#include "auth/credentials.h"
#include "inbox/name_form.h"

namespace postern::inbox {
namespace {

TEST(GeneratedCredentials, UserNamesAreAdjectiveNounAndFourDigits) {
  ASSERT_TRUE(auth::init_crypto());
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto name = generate_user_name();
    EXPECT_TRUE(has_user_name_form(name)) << name;
    seen.insert(name);
  }
  // 41 million names: 2,000 draws collide with probability about 5%, and
  // more than a few collisions would mean a broken random source.
  EXPECT_GE(seen.size(), 1995u);
}

TEST(GeneratedCredentials, PasswordsAreLongAndUnambiguous) {
  ASSERT_TRUE(auth::init_crypto());
  std::set<std::string> seen;
  std::set<char> used;
  for (int i = 0; i < 1000; ++i) {
    auto p = generate_password();
    ASSERT_EQ(p.size(), 24u);
    for (char c : p) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << p;
      EXPECT_EQ(std::string("0O1lI").find(c), std::string::npos) << p;
      used.insert(c);
    }
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(used.size(), 57u);  // every character of the alphabet comes up
}

}  // namespace
}  // namespace postern::inbox
