#include "providers/common/settings.h"

#include <gtest/gtest.h>

namespace postern::providers::common {
namespace {

using namespace std::chrono_literals;

ProviderConfig config(std::map<std::string, std::string> settings) {
  ProviderConfig c;
  c.name = "p";
  c.type = "mailgun";
  c.key_path = "providers[3]";
  c.settings = std::move(settings);
  return c;
}

TEST(ProviderSettings, RefusesUnknownKeysByName) {
  auto c = config({{"api_key", "k"}, {"domian", "x"}});
  ProviderSettings s(c);
  auto r = s.only({"api_key", "domain"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().key, "providers[3].domian");
  EXPECT_NE(r.error().message.find("known: api_key, domain"), std::string::npos);
}

TEST(ProviderSettings, RequiredKeysMustBeNonEmpty) {
  auto c = config({{"api_key", ""}});
  ProviderSettings s(c);
  EXPECT_EQ(s.required("api_key").error().key, "providers[3].api_key");
  EXPECT_EQ(s.required("domain").error().key, "providers[3].domain");
}

TEST(ProviderSettings, ParsesTypedValues) {
  auto c = config(
      {{"t", "1500ms"}, {"b", "yes"}, {"n", "7"}, {"size", "25MiB"}, {"mode", "eu"}, {"bad", "x"}});
  ProviderSettings s(c);
  EXPECT_EQ(s.duration("t", 1s).value(), 1500ms);
  EXPECT_EQ(s.duration("absent", 1s).value(), 1s);
  EXPECT_TRUE(s.flag("b", false).value());
  EXPECT_EQ(s.count("n", 1, 1, 10).value(), 7u);
  EXPECT_EQ(s.size("size", 0).value(), 25u * 1024 * 1024);
  EXPECT_EQ(s.choice("mode", "us", {"us", "eu"}).value(), "eu");
  EXPECT_EQ(s.flag("bad", false).error().key, "providers[3].bad");
  EXPECT_EQ(s.count("n", 1, 1, 5).error().key, "providers[3].n");
  EXPECT_EQ(s.duration("bad", 1s).error().key, "providers[3].bad");
  EXPECT_EQ(s.choice("bad", "us", {"us", "eu"}).error().key, "providers[3].bad");
}

TEST(ProviderSettings, BaseUrlTakesShorthandsAndHttpUrls) {
  auto c = config({{"eu", "eu"},
                   {"sim", "http://127.0.0.1:9000/"},
                   {"bad", "ftp://x"},
                   {"query", "https://x/?a=1"}});
  ProviderSettings s(c);
  UrlShorthands shorthands = {{"us", "https://api.mailgun.net"},
                              {"eu", "https://api.eu.mailgun.net"}};
  EXPECT_EQ(s.base_url("eu", "us", shorthands).value(), "https://api.eu.mailgun.net");
  EXPECT_EQ(s.base_url("absent", "us", shorthands).value(), "https://api.mailgun.net");
  EXPECT_EQ(s.base_url("sim", "us", shorthands).value(), "http://127.0.0.1:9000");
  EXPECT_EQ(s.base_url("bad", "us", shorthands).error().key, "providers[3].bad");
  EXPECT_FALSE(s.base_url("query", "us", shorthands));
}

}  // namespace
}  // namespace postern::providers::common
