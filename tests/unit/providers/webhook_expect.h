// Comparing a parsed provider event with the one a test expects.
#pragma once

#include <gtest/gtest.h>

#include "events/provider_event.h"

namespace postern::test {

// Every field of a parsed event as the test expects it (`provider` is the
// receiver's to set, so not compared).
inline void expect_event(const events::ProviderEvent& actual,
                         const events::ProviderEvent& expected) {
  EXPECT_EQ(events::to_str(actual.type), events::to_str(expected.type));
  EXPECT_EQ(actual.dedupe_key, expected.dedupe_key);
  EXPECT_EQ(actual.provider_message_id, expected.provider_message_id);
  EXPECT_EQ(actual.postern_id, expected.postern_id);
  EXPECT_EQ(actual.recipient, expected.recipient);
  EXPECT_EQ(actual.at, expected.at);
  EXPECT_EQ(actual.detail, expected.detail);
}

}  // namespace postern::test
