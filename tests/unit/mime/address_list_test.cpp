// detail::parse_address_list: RFC 5322 §3.4 address lists, strictly.
#include "mime/detail/address_list.h"

#include <gtest/gtest.h>

namespace postern::mime::detail {
namespace {

std::vector<Mailbox> parse_ok(std::string_view text) {
  auto r = parse_address_list(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().reason);
  return r ? r->mailboxes : std::vector<Mailbox>{};
}

TEST(AddressList, ReadsTheCommonForms) {
  EXPECT_EQ(parse_ok("a@example.com"), (std::vector<Mailbox>{{"", "a@example.com"}}));
  EXPECT_EQ(parse_ok("<a@example.com>"), (std::vector<Mailbox>{{"", "a@example.com"}}));
  EXPECT_EQ(parse_ok("Jane Doe <jane@example.com>"),
            (std::vector<Mailbox>{{"Jane Doe", "jane@example.com"}}));
  EXPECT_EQ(parse_ok("\"Doe, \\\"J\\\"\" <j@example.com>, b@example.org"),
            (std::vector<Mailbox>{{"Doe, \"J\"", "j@example.com"}, {"", "b@example.org"}}));
  EXPECT_EQ(parse_ok("x@example.com (Old Style)"),
            (std::vector<Mailbox>{{"Old Style", "x@example.com"}}));
  EXPECT_EQ(parse_ok("=?utf-8?Q?Jos=C3=A9?= <jose@example.com>"),
            (std::vector<Mailbox>{{"Jos\xC3\xA9", "jose@example.com"}}));
  EXPECT_EQ(parse_ok("\"quoted local\"@example.com"),
            (std::vector<Mailbox>{{"", "\"quoted local\"@example.com"}}));
  EXPECT_EQ(parse_ok("u@[192.0.2.1]"), (std::vector<Mailbox>{{"", "u@[192.0.2.1]"}}));
}

TEST(AddressList, HandlesCommentsObsoleteSyntaxAndRoutes) {
  EXPECT_EQ(parse_ok("(c) Jane (x (nested)) <(c)jane@example.com(c)> (c)"),
            (std::vector<Mailbox>{{"Jane", "jane@example.com"}}));
  EXPECT_EQ(parse_ok(", a@example.com,, b@example.org ,"),
            (std::vector<Mailbox>{{"", "a@example.com"}, {"", "b@example.org"}}));
  EXPECT_EQ(parse_ok("john . doe @ example . com"),
            (std::vector<Mailbox>{{"", "john.doe@example.com"}}));
  EXPECT_EQ(parse_ok("<@relay.example:u@example.com>"),
            (std::vector<Mailbox>{{"", "u@example.com"}}));
}

TEST(AddressList, FlattensGroupsAndNotesThem) {
  auto r = parse_address_list("undisclosed-recipients:;");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->mailboxes.empty());
  EXPECT_TRUE(r->has_group);
  r = parse_address_list("a@example.com, team: b@example.org, C <c@example.org>; , d@example.net");
  ASSERT_TRUE(r) << r.error().reason;
  ASSERT_EQ(r->mailboxes.size(), 4u);
  EXPECT_EQ(r->mailboxes[2], (Mailbox{"C", "c@example.org"}));
  EXPECT_TRUE(r->has_group);
  EXPECT_TRUE(parse_address_list("list: a@example.com"));  // missing ';' at the end
  EXPECT_FALSE(parse_address_list("a@example.com")->has_group);
}

TEST(AddressList, AcceptsUtf8AddressesAndNames) {
  EXPECT_EQ(parse_ok("J\xC3\xBCrgen <j\xC3\xBC@b\xC3\xBC"
                     "cher.example>"),
            (std::vector<Mailbox>{{"J\xC3\xBCrgen",
                                   "j\xC3\xBC@b\xC3\xBC"
                                   "cher.example"}}));
}

TEST(AddressList, EmptyValueIsAnEmptyList) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("  ").empty());
}

TEST(AddressList, RefusesWhatIsNotAnAddressList) {
  for (std::string_view bad :
       {"foo", "Jane Doe", "a@", "@example.com", "<>", "<a@example.com", "Jane <a@example.com",
        "a@b.c\"om", "a@example.com b@example.org", "a@example.com, @@@", "\"open <a@example.com>",
        "(open a@example.com", "a..b@example.com", "g1: g2: a@example.com;;", "a@example.com;",
        "<a@example.com> trailing", "a@[1.2.3.4", "a@\"quoted\".com", "x\r@example.com"}) {
    auto r = parse_address_list(bad);
    EXPECT_FALSE(r) << "accepted: " << bad;
    if (!r) {
      EXPECT_FALSE(r.error().reason.empty());
    }
  }
}

TEST(AddressList, ErrorsQuoteOnlyAShortSnippet) {
  std::string huge = "bad " + std::string(100000, 'x');
  auto r = parse_address_list(huge);
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().reason.size(), 300u);
}

TEST(AddressList, DeepCommentNestingIsIterative) {
  std::string deep = std::string(200000, '(') + std::string(200000, ')') + " a@example.com";
  EXPECT_EQ(parse_ok(deep), (std::vector<Mailbox>{{"", "a@example.com"}}));
}

}  // namespace
}  // namespace postern::mime::detail
