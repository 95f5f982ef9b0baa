#include "routing/routes.h"

#include <gtest/gtest.h>

#include "routing_harness.h"

namespace postern::routing {
namespace {

using test::RouterHarness;

TEST(Routes, DomainsMatchCaseInsensitivelyWithWildcards) {
  EXPECT_TRUE(domain_matches("example.com", "EXAMPLE.com"));
  EXPECT_FALSE(domain_matches("example.com", "mail.example.com"));
  EXPECT_TRUE(domain_matches("*.example.com", "example.com"));
  EXPECT_TRUE(domain_matches("*.example.com", "a.b.Example.com"));
  EXPECT_FALSE(domain_matches("*.example.com", "badexample.com"));
  EXPECT_EQ(domain_of("a@b.org"), "b.org");
  EXPECT_EQ(domain_of(""), "");
}

TEST(Routes, FirstMatchingRuleWinsAndEveryConditionMustHold) {
  RouteTable t({{"example.com", "news", "", "", "bulk"}, {"example.com", "", "", "", "main"}},
               "default");
  EXPECT_EQ(t.pool_for(RouterHarness::make_message("a@example.com", {"news"})), "bulk");
  EXPECT_EQ(t.pool_for(RouterHarness::make_message("a@example.com", {"other"})), "main");
  EXPECT_EQ(t.pool_for(RouterHarness::make_message("a@elsewhere.com", {"news"})), "default");
  EXPECT_FALSE(t.uses_metadata());
}

TEST(Routes, MetadataNeedsTheParsedMessageAndRawMimeHasNone) {
  RouteTable t({{"", "", "tier", "gold", "gold"}}, "default");
  EXPECT_TRUE(t.uses_metadata());
  auto json = RouterHarness::make_message(
      "a@x.org", {}, R"({"from":"a@x.org","to":"b@x.org","text":"t","metadata":{"tier":"gold"}})");
  EXPECT_EQ(t.pool_for(json), "gold");
  providers::OutboundMessage mime(MessageId(2), ContentFormat::mime, "From: a@x.org\r\n\r\nhi\r\n",
                                  Envelope{"a@x.org", {{"b@x.org", RecipientKind::to}}}, {},
                                  SystemTime{});
  EXPECT_EQ(t.pool_for(mime), "default");
}

}  // namespace
}  // namespace postern::routing
