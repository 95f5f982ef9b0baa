#include "core/config.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Config, DefaultsServeWithNoFile) {
  auto c = parse_config("", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "127.0.0.1:8025");
  EXPECT_EQ(c->smtp.listen, "127.0.0.1:2525");
  EXPECT_EQ(c->store.backend, "sqlite");
  EXPECT_EQ(c->store.path, "data/postern.db");
  EXPECT_EQ(c->routing.strategy, "round_robin");
  EXPECT_TRUE(c->providers.empty());
}

TEST(Config, ReadsFileValuesWithUnits) {
  auto c = parse_config(R"(
[http]
listen = "0.0.0.0:9000"
idle_timeout = "2m"
max_body_bytes = "10MiB"
[delivery]
lease = 30
max_age = "2h"
[smtp]
trusted_networks = ["10.0.0.0/8"]
)",
                        {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->http.idle_timeout, std::chrono::seconds(120));
  EXPECT_EQ(c->http.max_body_bytes, 10u << 20);
  EXPECT_EQ(c->delivery.lease, std::chrono::seconds(30));
  EXPECT_EQ(c->delivery.max_age, std::chrono::hours(2));
  EXPECT_EQ(c->smtp.trusted_networks, std::vector<std::string>{"10.0.0.0/8"});
}

TEST(Config, EnvironmentWinsOverTheFile) {
  Environment env{{"POSTERN_HTTP_LISTEN", "127.0.0.1:1"}, {"POSTERN_SMTP_TRUSTED_NETWORKS", "1.0.0.0/8, 2.0.0.0/8"},
                  {"POSTERN_UNRELATED_THING", "ignored"}};
  auto c = parse_config("[http]\nlisten = \"127.0.0.1:2\"\n", env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "127.0.0.1:1");
  EXPECT_EQ(c->smtp.trusted_networks, (std::vector<std::string>{"1.0.0.0/8", "2.0.0.0/8"}));
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* toml;
    Environment env;
    const char* key;
  };
  const Case cases[] = {
      {"[http]\nlisen = \"x\"\n", {}, "http.lisen"},
      {"[htp]\n", {}, "htp"},
      {"[http]\nlisten = 5\n", {}, "http.listen"},
      {"[http]\nlisten = \"nohost\"\n", {}, "http.listen"},
      {"[store]\nbackend = \"mysql\"\n", {}, "store.backend"},
      {"[store]\nbackend = \"postgres\"\n", {}, "store.url"},
      {"[routing]\nstrategy = \"fastest\"\n", {}, "routing.strategy"},
      {"[delivery]\nlease = \"5 parsecs\"\n", {}, "delivery.lease"},
      {"", {{"POSTERN_HTTP_THREADS", "many"}}, "POSTERN_HTTP_THREADS"},
      {"", {{"POSTERN_HTTP_NOPE", "1"}}, "POSTERN_HTTP_NOPE"},
      {"[[providers]]\ntype = \"mailgun\"\n", {}, "providers[0].name"},
      {"[[providers]]\nname = \"a\"\n", {}, "providers[0].type"},
      {"[[providers]]\nname = \"a\"\ntype = \"x\"\napi_key = \"env:MISSING_KEY\"\n", {}, "providers[0].api_key"},
      {"[[providers]]\nname=\"a\"\ntype=\"x\"\n[[providers]]\nname=\"a\"\ntype=\"y\"\n", {}, "providers[1].name"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.toml, c.env);
    ASSERT_FALSE(r) << c.toml;
    EXPECT_EQ(r.error().key, c.key) << r.error().to_string();
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Config, SyntaxErrorsGiveTheLine) {
  auto r = parse_config("[http]\nlisten = \n", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
}

TEST(Config, ProvidersResolveSecretsFromTheEnvironment) {
  auto c = parse_config(R"(
[[providers]]
name = "mg"
type = "mailgun"
api_key = "env:MG_KEY"
domain = "mg.example.com"
weight = 3
pool = "bulk"
)",
                        {{"MG_KEY", "key-123"}});
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->providers.size(), 1u);
  const auto& p = c->providers[0];
  EXPECT_EQ(p.name, "mg");
  EXPECT_EQ(p.type, "mailgun");
  EXPECT_EQ(p.pool, "bulk");
  EXPECT_EQ(p.weight, 3);
  EXPECT_EQ(p.settings.at("api_key"), "key-123");
  EXPECT_EQ(p.settings.at("domain"), "mg.example.com");
}

TEST(Config, ParsesDurationsAndSizes) {
  EXPECT_EQ(parse_duration("250ms").value(), std::chrono::milliseconds(250));
  EXPECT_EQ(parse_duration("3").value(), std::chrono::seconds(3));
  EXPECT_EQ(parse_duration("1d").value(), std::chrono::hours(24));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_EQ(parse_size("64KiB").value(), 65536u);
  EXPECT_EQ(parse_size("2MB").value(), 2'000'000u);
  EXPECT_FALSE(parse_size("big"));
}

}  // namespace
}  // namespace postern
