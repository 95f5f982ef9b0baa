#include "providers/registry.h"

#include <gtest/gtest.h>

#include "providers/provider_test_support.h"

namespace postern::providers {
namespace {

TEST(Registry, KnowsEveryBuiltInProvider) {
  ProviderRegistry registry;
  register_builtin_providers(registry);
  EXPECT_EQ(registry.types(), (std::vector<std::string>{"capture", "mailgun", "postmark",
                                                        "sendgrid", "ses", "smtp"}));
}

TEST(Registry, CreatesProvidersFromConfiguration) {
  ProviderRegistry registry;
  register_builtin_providers(registry);
  test_support::ProviderHarness harness;
  auto config = test_support::provider_config("postmark", {{"api_key", "t"}});
  auto provider = registry.create(config, harness.context());
  ASSERT_TRUE(provider);
  EXPECT_EQ((*provider)->type(), "postmark");
  EXPECT_EQ((*provider)->name(), "postmark-test");
  auto bad = registry.create(test_support::provider_config("sendgrid", {}), harness.context());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().key, "providers[0].api_key");
}

}  // namespace
}  // namespace postern::providers
