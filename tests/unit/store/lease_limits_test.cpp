// A lease's byte cap (store.h LeaseLimits), the same test bodies against
// each backend: the content sizes of what a lease takes stay within it,
// but for a first message larger than the cap, which goes alone.
#include <gtest/gtest.h>

#include <numeric>

#include "store_fixture.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;

class LeaseLimitsTest : public AnyStoreFixture {
 protected:
  // A queued message whose content is `bytes` long; enqueued a millisecond
  // after the one before, so leases take them in this order.
  MessageId enqueue_sized(const std::string& subject, std::size_t bytes) {
    auto m = message(subject);
    m.content.resize(bytes, ' ');
    clock_.advance(1ms);
    auto r = enqueue(std::move(m));
    EXPECT_TRUE(r);
    return r ? r->id : MessageId();
  }

  static std::vector<MessageId> ids(const std::vector<LeasedMessage>& leased) {
    std::vector<MessageId> out;
    for (const auto& m : leased) out.push_back(m.id);
    return out;
  }
  static std::uint64_t bytes(const std::vector<LeasedMessage>& leased) {
    return std::accumulate(leased.begin(), leased.end(), std::uint64_t{0},
                           [](std::uint64_t sum, const auto& m) { return sum + m.content.size(); });
  }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, LeaseLimitsTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, LeaseLimitsTest, ::testing::Values(Backend::postgres));

TEST_P(LeaseLimitsTest, ALeaseStopsBeforeTheMessageThatWouldPassTheCap) {
  auto a = enqueue_sized("a", 1000);
  auto b = enqueue_sized("b", 1000);
  auto c = enqueue_sized("c", 1000);
  auto d = enqueue_sized("d", 100);
  // a and b fit in 2,500 bytes, c does not: the lease ends there, oldest
  // first, although d would fit after it.
  auto leased = lease({10, 2500});
  EXPECT_EQ(ids(leased), (std::vector<MessageId>{a, b}));
  EXPECT_EQ(bytes(leased), 2000u);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::queued)], 2);
  // Exactly the cap fits.
  EXPECT_EQ(ids(lease({10, 1100})), (std::vector<MessageId>{c, d}));
}

TEST_P(LeaseLimitsTest, AMessageLargerThanTheCapGoesAloneOrNotAtAll) {
  auto big = enqueue_sized("big", 5000);
  auto small = enqueue_sized("small", 100);
  // A caller with nothing in flight takes the first whatever its size, and
  // nothing after it.
  EXPECT_TRUE(lease({10, 1000, false}).empty());
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::queued)], 2);
  EXPECT_EQ(ids(lease({10, 1000, true})), (std::vector<MessageId>{big}));
  // A cap of nothing still takes one when the caller allows it.
  EXPECT_EQ(ids(lease({10, 0, true})), (std::vector<MessageId>{small}));
}

TEST_P(LeaseLimitsTest, TheCapSpansTheRetriesAndTheFreshMail) {
  auto retry = enqueue_sized("retry", 1000);
  ASSERT_EQ(lease(1).size(), 1u);
  AttemptRecord deferred{retry, MessageStatus::deferred, clock_.now(), "mg", "transient", "503"};
  ASSERT_TRUE(record(deferred));
  auto fresh = enqueue_sized("fresh", 1000);
  auto big = enqueue_sized("big", 5000);
  clock_.advance(1s);
  // The due retry first, then fresh mail within what is left; the big one
  // is the queue's first past the cap but not the lease's first: it waits.
  auto leased = lease({10, 2500, true});
  EXPECT_EQ(ids(leased), (std::vector<MessageId>{retry, fresh}));
  EXPECT_EQ(leased[0].attempts, 1);
  EXPECT_TRUE(lease({10, 2500, false}).empty());
  EXPECT_EQ(ids(lease({10, 2500, true})), (std::vector<MessageId>{big}));
}

TEST_P(LeaseLimitsTest, TheCountStillLimitsWithRoomForMore) {
  auto a = enqueue_sized("a", 100);
  enqueue_sized("b", 100);
  EXPECT_EQ(ids(lease({1, 1'000'000})), (std::vector<MessageId>{a}));
  EXPECT_EQ(lease(10).size(), 1u);  // a count alone: no byte cap
}

}  // namespace
}  // namespace postern::store
