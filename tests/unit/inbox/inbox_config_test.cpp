#include "inbox/inbox_config.h"

#include <gtest/gtest.h>

namespace postern::inbox {
namespace {

using namespace std::chrono_literals;

Result<InboxOptions, ConfigError> read(std::string_view toml, Environment env = {}) {
  auto file = ConfigFile::parse(toml, std::move(env));
  if (!file) return file.error();
  auto options = read_inbox_config(*file);
  if (!options) return options.error();
  if (auto done = file->finish(); !done) return done.error();
  return options;
}

TEST(InboxConfig, DefaultsServeWithoutASection) {
  auto o = read("");
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->domain, "inbox.postern.test");
  EXPECT_EQ(o->retention, 7 * 24h);
  EXPECT_EQ(o->quota_bytes, 100u * 1024 * 1024);
  EXPECT_EQ(o->expiry_interval, 1min);
  EXPECT_EQ(o->mx_listen, "");  // no MX listener unless asked for
}

TEST(InboxConfig, ReadsDurationsSizesAndTheDomainInLowerCase) {
  auto o = read(
      "[inbox]\ndomain = \"Mail.Example.TEST\"\nretention = \"3d\"\nquota = \"10MiB\"\n"
      "expiry_interval = \"5s\"\n");
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->domain, "mail.example.test");
  EXPECT_EQ(o->retention, 72h);
  EXPECT_EQ(o->quota_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(o->expiry_interval, 5s);
  auto env = read("", {{"POSTERN_INBOX_QUOTA", "0"}, {"POSTERN_INBOX_RETENTION", "3600"}});
  ASSERT_TRUE(env) << env.error().to_string();
  EXPECT_EQ(env->quota_bytes, 0u);  // no limit
  EXPECT_EQ(env->retention, 1h);
}

TEST(InboxConfig, ReadsTheMxListenAddress) {
  auto o = read("[inbox]\nmx_listen = \"127.0.0.1:2526\"\n");
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->mx_listen, "127.0.0.1:2526");
  auto env = read("", {{"POSTERN_INBOX_MX_LISTEN", "[::1]:25"}});
  ASSERT_TRUE(env) << env.error().to_string();
  EXPECT_EQ(env->mx_listen, "[::1]:25");
}

TEST(InboxConfig, RefusalsNameTheKey) {
  for (auto [toml, key] : {
           std::pair{"[inbox]\ndomain = \"not a domain\"\n", "inbox.domain"},
           std::pair{"[inbox]\ndomain = \"-x.test\"\n", "inbox.domain"},
           std::pair{"[inbox]\ndomain = \"a..test\"\n", "inbox.domain"},
           std::pair{"[inbox]\ndomain = \"\"\n", "inbox.domain"},
           std::pair{"[inbox]\nretention = \"30s\"\n", "inbox.retention"},
           std::pair{"[inbox]\nretention = \"soon\"\n", "inbox.retention"},
           std::pair{"[inbox]\nquota = \"lots\"\n", "inbox.quota"},
           std::pair{"[inbox]\nexpiry_interval = \"500ms\"\n", "inbox.expiry_interval"},
           std::pair{"[inbox]\nexpiry_interval = 0\n", "inbox.expiry_interval"},
           std::pair{"[inbox]\nmx_listen = \"127.0.0.1\"\n", "inbox.mx_listen"},
           std::pair{"[inbox]\nmx_listen = 25\n", "inbox.mx_listen"},
           std::pair{"[inbox]\nmx = 1\n", "inbox.mx"},
       }) {
    auto o = read(toml);
    ASSERT_FALSE(o) << toml;
    EXPECT_EQ(o.error().key, key) << toml << ": " << o.error().to_string();
  }
  auto env = read("", {{"POSTERN_INBOX_MX_LISTEN", "port 25"}});
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().key, "inbox.mx_listen");
}

TEST(InboxConfig, DomainsAreHostNames) {
  EXPECT_TRUE(valid_domain("inbox.postern.test"));
  EXPECT_TRUE(valid_domain("localhost"));
  EXPECT_TRUE(valid_domain("a-b.c1"));
  EXPECT_FALSE(valid_domain("a-.test"));
  EXPECT_FALSE(valid_domain("a.test."));
  EXPECT_FALSE(valid_domain(".test"));
  EXPECT_FALSE(valid_domain("a_b.test"));
  EXPECT_FALSE(valid_domain("user@test"));
  EXPECT_FALSE(valid_domain(std::string(64, 'a') + ".test"));
  EXPECT_TRUE(valid_domain(std::string(63, 'a') + ".test"));
}

}  // namespace
}  // namespace postern::inbox
