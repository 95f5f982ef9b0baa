#include "core/message_id.h"

#include <gtest/gtest.h>

#include <set>

#include "support/fake_clock.h"

namespace postern {
namespace {

TEST(MessageId, StringFormRoundTrips) {
  MessageId id(0x0123456789abcdefULL);
  auto text = id.to_string();
  EXPECT_EQ(text.size(), 13u);
  EXPECT_EQ(MessageId::parse(text), id);
  std::string upper = text;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(MessageId::parse(upper), id);
}

TEST(MessageId, ParseRefusesMalformedText) {
  EXPECT_FALSE(MessageId::parse(""));
  EXPECT_FALSE(MessageId::parse("0123456789ab"));
  EXPECT_FALSE(MessageId::parse("0123456789abcd"));
  EXPECT_FALSE(MessageId::parse("0123456789ab!"));
  EXPECT_FALSE(MessageId::parse("z123456789abc"));  // beyond 63 bits
}

TEST(MessageId, GeneratorIsStrictlyIncreasingAndCarriesTime) {
  test::FakeClock clock;
  MessageIdGenerator gen(clock, 42);
  std::set<MessageId> seen;
  MessageId last;
  for (int i = 0; i < 100000; ++i) {
    if (i % 1000 == 0) clock.advance(std::chrono::milliseconds(1));
    auto id = gen.next();
    EXPECT_GT(id, last);
    last = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100000u);
  EXPECT_LE(std::chrono::abs(last.timestamp() - clock.now()), std::chrono::milliseconds(1));
}

TEST(MessageId, StaysIncreasingWhenTheClockGoesBack) {
  test::FakeClock clock;
  MessageIdGenerator gen(clock, 1);
  auto a = gen.next();
  clock.advance(-std::chrono::milliseconds(5000));
  EXPECT_GT(gen.next(), a);
}

TEST(MessageId, FirstAtBoundsTimeRanges) {
  test::FakeClock clock;
  MessageIdGenerator gen(clock, 7);
  auto before = MessageId::first_at(clock.now());
  auto id = gen.next();
  auto after = MessageId::first_at(clock.now() + std::chrono::milliseconds(1));
  EXPECT_LE(before, id);
  EXPECT_LT(id, after);
}

TEST(MessageId, FarFutureTimesClampInsteadOfOverflowing) {
  auto far = MessageId::first_at(from_unix_ms(32'503'680'000'000));  // year 3000
  EXPECT_EQ(far.value() >> 63, 0u);
  EXPECT_GT(far, MessageId::first_at(from_unix_ms(1'700'000'000'000)));
  EXPECT_EQ(MessageId::first_at(from_unix_ms(-5)), MessageId(0));
}

}  // namespace
}  // namespace postern
