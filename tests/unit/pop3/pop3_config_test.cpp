// [pop3] as read by its owner (src/pop3/pop3_config.h).
#include "pop3/pop3_config.h"

#include <gtest/gtest.h>

namespace postern::pop3 {
namespace {

Result<Pop3Config, ConfigError> read(std::string_view toml, Environment env = {}) {
  auto file = ConfigFile::parse(toml, std::move(env));
  if (!file) return file.error();
  auto config = read_pop3_config(*file, net::ServerTlsOptions{"c.pem", "k.pem"});
  if (!config) return config;
  if (auto done = file->finish(); !done) return done.error();
  return config;
}

TEST(Pop3ConfigTest, DefaultsAndKeys) {
  auto defaults = read("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->server.listen, "127.0.0.1:1110");
  EXPECT_EQ(defaults->server.idle_timeout, std::chrono::minutes(10));
  EXPECT_EQ(defaults->server.tls.cert, "c.pem");
  auto c = read(
      "[pop3]\nlisten = \"127.0.0.1:0\"\nmax_connections = 5\nmax_connections_per_address = 2\n"
      "idle_timeout = \"15m\"\nlogin_timeout = \"20s\"\nmax_login_failures = 4\n"
      "login_failure_delay = \"250ms\"\nmax_errors = 9\n");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->server.listen, "127.0.0.1:0");
  EXPECT_EQ(c->server.max_connections, 5u);
  EXPECT_EQ(c->server.max_connections_per_address, 2u);
  EXPECT_EQ(c->server.idle_timeout, std::chrono::minutes(15));
  EXPECT_EQ(c->server.login_timeout, std::chrono::seconds(20));
  EXPECT_EQ(c->server.max_login_failures, 4u);
  EXPECT_EQ(c->server.login_failure_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(c->server.max_errors, 9u);
  auto off = read("[pop3]\nlisten = \"\"\n");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->server.listen, "");
}

TEST(Pop3ConfigTest, RefusalsNameTheKey) {
  EXPECT_EQ(read("[pop3]\nidle_timeout = \"5m\"\n").error().key, "pop3.idle_timeout");
  EXPECT_EQ(read("[pop3]\nmax_login_failures = 0\n").error().key, "pop3.max_login_failures");
  EXPECT_EQ(read("[pop3]\nmax_connections = 0\n").error().key, "pop3.max_connections");
  EXPECT_EQ(read("[pop3]\nlisten = \"nowhere\"\n").error().key, "pop3.listen");
  EXPECT_EQ(read("[pop3]\nmystery = 1\n").error().key, "pop3.mystery");
}

}  // namespace
}  // namespace postern::pop3
