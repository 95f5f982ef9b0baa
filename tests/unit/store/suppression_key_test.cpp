#include <gtest/gtest.h>

#include "store/event_store.h"

namespace postern::store {
namespace {

TEST(SuppressionKey, LowersTheDomainOnly) {
  EXPECT_EQ(suppression_key("Ann.Lee@Example.COM"), "Ann.Lee@example.com");
  EXPECT_NE(suppression_key("Ann@example.com"), suppression_key("ann@example.com"));
}

TEST(SuppressionKey, SplitsAtTheLastAt) {
  EXPECT_EQ(suppression_key("\"a@b\"@EXAMPLE.org"), "\"a@b\"@example.org");
  EXPECT_EQ(suppression_key("no-domain"), "no-domain");
}

}  // namespace
}  // namespace postern::store
