#include "delivery/suppression_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/await_completion.h"
#include "support/fake_event_store.h"

namespace postern::delivery {
namespace {

using Names = std::vector<std::string>;

store::Suppression entry(std::string address, std::string reason = "manual") {
  return {std::move(address), std::move(reason), "", std::nullopt, "", SystemTime{}};
}

class SuppressionCacheTest : public ::testing::Test {
 protected:
  Names among(const Names& addresses) {
    auto r = cache_.suppressed_among(addresses);
    EXPECT_TRUE(r);
    return r ? *r : Names{};
  }

  test::FakeEventStore backend_;
  SuppressionCache cache_{backend_};
};

TEST_F(SuppressionCacheTest, AnswersFromMemoryWhatTheStoreHeldAtLoad) {
  // More than one page of the load, so that paging is exercised.
  for (int i = 0; i < 2500; ++i) backend_.put(entry("user" + std::to_string(i) + "@x.org"));
  ASSERT_TRUE(cache_.load());
  EXPECT_EQ(cache_.size(), 2500u);
  int reads = backend_.reads;
  EXPECT_EQ(among({"user7@x.org", "other@x.org", "user2499@X.ORG"}),
            (Names{"user7@x.org", "user2499@X.ORG"}));
  EXPECT_EQ(backend_.reads, reads) << "intake's check reads no store";
}

TEST_F(SuppressionCacheTest, ComparesTheDomainWithoutCaseAndTheLocalPartWithIt) {
  backend_.put(entry("Ann@Example.com"));
  ASSERT_TRUE(cache_.load());
  EXPECT_EQ(among({"Ann@example.COM", "ann@example.com"}), (Names{"Ann@example.COM"}));
}

TEST_F(SuppressionCacheTest, ItsOwnWritesAreSeenAtOnce) {
  ASSERT_TRUE(cache_.load());
  auto added = test::await_completion<std::size_t>([&](auto done) {
    cache_.add_suppressions({entry("a@x.org"), entry("b@x.org")}, done);
  });
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, 2u);
  EXPECT_EQ(among({"a@x.org", "b@X.org", "c@x.org"}), (Names{"a@x.org", "b@X.org"}));
  auto removed =
      test::await_completion<bool>([&](auto done) { cache_.remove_suppression("a@X.ORG", done); });
  ASSERT_TRUE(removed && *removed);
  EXPECT_EQ(among({"a@x.org", "b@x.org"}), (Names{"b@x.org"}));
}

TEST_F(SuppressionCacheTest, AFailedWriteChangesNothing) {
  ASSERT_TRUE(cache_.load());
  backend_.fail_writes = true;
  auto added = test::await_completion<std::size_t>(
      [&](auto done) { cache_.add_suppressions({entry("a@x.org")}, done); });
  EXPECT_FALSE(added);
  EXPECT_TRUE(among({"a@x.org"}).empty());
}

TEST_F(SuppressionCacheTest, RecordedBouncesAndComplaintsJoinTheList) {
  ASSERT_TRUE(cache_.load());
  backend_.known_messages.insert("pm-1");
  auto event = [](std::string id, std::string rcpt, events::RecipientEventType type) {
    events::ProviderEvent e;
    e.provider = "pm";
    e.provider_message_id = std::move(id);
    e.recipient = std::move(rcpt);
    e.type = type;
    return e;
  };
  using T = events::RecipientEventType;
  auto r = test::await_completion<std::vector<store::EventOutcome>>([&](auto done) {
    cache_.record_provider_events(
        {event("pm-1", "hard@x.org", T::bounced), event("pm-1", "spam@x.org", T::complained),
         event("pm-1", "fine@x.org", T::delivered), event("unknown", "early@x.org", T::bounced)},
        done);
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(among({"hard@x.org", "spam@x.org", "fine@x.org", "early@x.org"}),
            (Names{"hard@x.org", "spam@x.org"}));
}

// The store shows a bounce at its commit, before the write's answer: a
// send in that window must already leave the address out. Events that turn
// out not recorded leave the list as it was.
TEST_F(SuppressionCacheTest, ABounceSuppressesBeforeItsWriteIsAnswered) {
  backend_.put(entry("old@x.org"));
  ASSERT_TRUE(cache_.load());
  backend_.known_messages.insert("pm-1");
  auto event = [](std::string id, std::string rcpt) {
    events::ProviderEvent e;
    e.provider = "pm";
    e.provider_message_id = std::move(id);
    e.recipient = std::move(rcpt);
    e.type = events::RecipientEventType::bounced;
    return e;
  };
  Names in_window;
  backend_.before_answer = [&] { in_window = among({"hard@x.org", "old@x.org"}); };
  auto r = test::await_completion<std::vector<store::EventOutcome>>([&](auto done) {
    cache_.record_provider_events({event("pm-1", "hard@x.org"), event("unknown", "early@x.org"),
                                   event("unknown", "old@x.org")},
                                  done);
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(in_window, (Names{"hard@x.org", "old@x.org"}));
  EXPECT_EQ(among({"hard@x.org", "early@x.org", "old@x.org"}), (Names{"hard@x.org", "old@x.org"}))
      << "an unmatched event leaves the list as it was";
}

TEST_F(SuppressionCacheTest, AReloadSeesOtherProcessesChanges) {
  backend_.put(entry("gone@x.org"));
  ASSERT_TRUE(cache_.load());
  // Another process (`postern suppressions`) changes the store directly.
  backend_.entries.clear();
  backend_.put(entry("new@x.org"));
  EXPECT_EQ(among({"gone@x.org", "new@x.org"}), (Names{"gone@x.org"}));
  ASSERT_TRUE(cache_.load());
  EXPECT_EQ(among({"gone@x.org", "new@x.org"}), (Names{"new@x.org"}));
}

TEST(SuppressionCacheRefresh, ReloadsInTheBackgroundEveryRefresh) {
  test::FakeEventStore backend;
  SuppressionCache cache(backend, std::chrono::milliseconds(20));
  ASSERT_TRUE(cache.load());
  cache.start();
  backend.put(entry("later@x.org"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cache.suppressed_among({"later@x.org"})->empty() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(*cache.suppressed_among({"later@x.org"}), (Names{"later@x.org"}));
  cache.stop();
}

TEST_F(SuppressionCacheTest, AFailedReloadKeepsTheList) {
  backend_.put(entry("kept@x.org"));
  ASSERT_TRUE(cache_.load());
  backend_.fail_reads = true;
  EXPECT_FALSE(cache_.load());
  EXPECT_EQ(among({"kept@x.org"}), (Names{"kept@x.org"}));
}

}  // namespace
}  // namespace postern::delivery
