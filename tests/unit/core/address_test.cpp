#include "core/address.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Address, AcceptsCommonAndUnusualValidForms) {
  for (const char* a :
       {"a@b.c", "first.last@example.com", "x+tag@sub.example.co.uk", "user@localhost",
        "\"quoted local\"@example.com", "o'brien@example.ie", "user@[192.168.0.1]",
        "user@[IPv6:2001:db8::1]", "用户@例子.广告", "jörg@bücher.de"}) {
    EXPECT_TRUE(validate_address(a)) << a;
  }
}

TEST(Address, RefusesInvalidFormsWithAReason) {
  for (const char* a : {"", "plain", "@example.com", "user@", "a..b@example.com", ".a@example.com",
                        "a.@example.com", "a b@example.com", "user@-bad.com", "user@bad-.com",
                        "user@exa mple.com", "user@[300.1.1.1]", "user@example..com", "a@b@c.d",
                        "user@\xff.com", "\xc3(x@example.com"}) {
    auto r = validate_address(a);
    EXPECT_FALSE(r) << a;
    if (!r) {
      EXPECT_FALSE(r.error().reason.empty());
    }
  }
}

TEST(Address, EnforcesLengthLimitsOfRfc5321) {
  std::string local(64, 'a');
  EXPECT_TRUE(validate_address(local + "@example.com"));
  EXPECT_FALSE(validate_address(local + "a@example.com"));
  std::string label(63, 'b');
  EXPECT_TRUE(validate_address("a@" + label + ".com"));
  EXPECT_FALSE(validate_address("a@" + label + "b.com"));
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(60, 'c') + ".";
  EXPECT_FALSE(validate_address("a@" + long_domain + "com"));
}

TEST(Address, ParsesDisplayNames) {
  auto m = parse_mailbox("Ada Lovelace <ada@example.com>");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "Ada Lovelace");
  EXPECT_EQ(m->address, "ada@example.com");

  m = parse_mailbox("\"Lovelace, Ada\" <ada@example.com>");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "Lovelace, Ada");

  m = parse_mailbox("<ada@example.com>");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "");

  EXPECT_FALSE(parse_mailbox("Ada <ada@example.com"));
  EXPECT_FALSE(parse_mailbox("Ada\r\nBcc: x@y.z <ada@example.com>"));
}

TEST(Address, ParsesListsWithCommasInsideQuotes) {
  auto list = parse_mailbox_list("\"Doe, J\" <j@x.org>, k@y.org,Zed <z@z.org>");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "Doe, J");
  EXPECT_EQ((*list)[1].address, "k@y.org");
  EXPECT_EQ((*list)[2].address, "z@z.org");
  EXPECT_FALSE(parse_mailbox_list("a@b.c,,d@e.f"));
}

TEST(Address, FormatsAndQuotesNames) {
  EXPECT_EQ(format_mailbox({"", "a@b.c"}), "a@b.c");
  EXPECT_EQ(format_mailbox({"Ada", "a@b.c"}), "Ada <a@b.c>");
  EXPECT_EQ(format_mailbox({"Doe, J", "a@b.c"}), "\"Doe, J\" <a@b.c>");
}

TEST(Address, NormalizesOnlyTheDomain) {
  EXPECT_EQ(normalize_address("MixedCase@Example.COM"), "MixedCase@example.com");
  EXPECT_TRUE(address_is_utf8("jörg@example.com"));
  EXPECT_FALSE(address_is_utf8("joerg@example.com"));
}

}  // namespace
}  // namespace postern
