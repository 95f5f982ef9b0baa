// The suppression list on both backends: keys, adding, removing, paging
// and the intake check.
#include <gtest/gtest.h>

#include "event_fixture.h"

namespace postern::store {
namespace {

class SuppressionListTest : public AnyEventFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, SuppressionListTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, SuppressionListTest, ::testing::Values(Backend::postgres));

Suppression entry(const std::string& address, const std::string& reason = "manual") {
  Suppression s;
  s.address = address;
  s.reason = reason;
  return s;
}

TEST_P(SuppressionListTest, TheDomainComparesInAnyCaseTheLocalPartAsGiven) {
  EXPECT_EQ(add({entry("Ann@Example.COM")}).value(), 1u);
  EXPECT_EQ(add({entry("Ann@example.com")}).value(), 0u);  // the same key: left as it is
  auto found = events().suppression("Ann@EXAMPLE.com").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->address, "Ann@Example.COM");  // as first given
  EXPECT_FALSE(events().suppression("ann@example.com").value());
  auto among = events().suppressed_among(
      {"Ann@example.com", "ann@example.com", "x@example.com", "Ann@EXAMPLE.COM"});
  EXPECT_EQ(among.value(), (std::vector<std::string>{"Ann@example.com", "Ann@EXAMPLE.COM"}));
}

TEST_P(SuppressionListTest, AnEntryKeepsWhatItWasAddedWith) {
  Suppression s = entry("b@x.org", "inactive");
  s.provider = "postmark";
  s.detail = "406 inactive recipient";
  s.created_at = from_unix_ms(1'700'000'000'000);
  EXPECT_EQ(add({s}).value(), 1u);
  auto found = events().suppression("b@x.org").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->reason, "inactive");
  EXPECT_EQ(found->provider, "postmark");
  EXPECT_EQ(found->detail, "406 inactive recipient");
  EXPECT_FALSE(found->message);
  EXPECT_EQ(found->created_at, s.created_at);
  // Without a time: when it was added.
  EXPECT_EQ(add({entry("c@x.org")}).value(), 1u);
  EXPECT_EQ(events().suppression("c@x.org").value()->created_at,
            from_unix_ms(to_unix_ms(clock_.now())));
}

TEST_P(SuppressionListTest, RemovingAnswersWhetherTheAddressWasListed) {
  ASSERT_EQ(add({entry("b@X.org")}).value(), 1u);
  EXPECT_TRUE(remove("b@x.ORG").value());
  EXPECT_FALSE(remove("b@x.org").value());
  EXPECT_FALSE(suppressed("b@x.org"));
}

TEST_P(SuppressionListTest, TheListPagesInKeyOrder) {
  EXPECT_EQ(add({entry("e@x.org"), entry("a@x.org"), entry("c@x.org"), entry("b@x.org"),
                 entry("d@x.org"), entry("a@x.org")})
                .value(),
            5u);
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto got = events().list_suppressions(after, 2).value();
    if (got.empty()) break;
    EXPECT_LE(got.size(), 2u);
    for (const auto& s : got) seen.push_back(s.address);
    after = suppression_key(got.back().address);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org"}));
}

TEST_P(SuppressionListTest, TheListSurvivesARestart) {
  ASSERT_EQ(add({entry("b@x.org", "complained")}).value(), 1u);
  open();
  EXPECT_TRUE(suppressed("b@x.org"));
  EXPECT_EQ(events().suppression("b@x.org").value()->reason, "complained");
}

}  // namespace
}  // namespace postern::store
