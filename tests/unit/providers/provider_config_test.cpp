#include "providers/provider_config.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(ProviderConfig, KeysFromTextAsTheApiGivesThem) {
  ProviderConfig p;
  ASSERT_TRUE(set_provider_key(p, "rate_limit", "2.5"));
  ASSERT_TRUE(set_provider_key(p, "host", "127.0.0.1"));
  EXPECT_DOUBLE_EQ(p.rate_limit, 2.5);
  EXPECT_EQ(p.settings.at("host"), "127.0.0.1");
  auto bad = set_provider_key(p, "burst", "-3");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().key, "burst");
}

TEST(ProviderConfig, ReadsEveryTableWithItsSecretsResolved) {
  auto file = ConfigFile::parse(R"(
[[providers]]
name = "mg"
type = "mailgun"
api_key = "env:MG_KEY"
weight = 3
[[providers]]
name = "relay"
type = "smtp"
)",
                                {{"MG_KEY", "key-123"}});
  ASSERT_TRUE(file);
  auto providers = read_providers(*file);
  ASSERT_TRUE(providers) << providers.error().to_string();
  ASSERT_EQ(providers->size(), 2u);
  EXPECT_EQ((*providers)[0].weight, 3);
  EXPECT_EQ((*providers)[0].settings.at("api_key"), "key-123");
  EXPECT_EQ((*providers)[1].key_path, "providers[1]");
  EXPECT_TRUE(file->finish());
}

}  // namespace
}  // namespace postern
