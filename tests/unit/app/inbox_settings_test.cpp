#include "app/inbox_settings.h"

#include <gtest/gtest.h>

namespace postern::app {
namespace {

Config config_of(std::string_view toml) {
  auto c = parse_config(toml, {});
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? std::move(*c) : Config{};
}

TEST(InboxSettings, TheDefaultsGiveTheDesignsAddresses) {
  auto s = inbox_client_settings(config_of(""), nullptr);
  EXPECT_EQ(inbox::host_and_port(s.smtp), "127.0.0.1:2525");
  EXPECT_FALSE(s.smtp.secure);
  EXPECT_TRUE(s.smtp.live);
  EXPECT_EQ(inbox::host_and_port(s.imap), "127.0.0.1:1143");
  EXPECT_TRUE(s.imap.live);  // imap.listen's default
  EXPECT_FALSE(s.imap.secure);
  EXPECT_EQ(inbox::host_and_port(s.pop3), "127.0.0.1:1110");
  EXPECT_TRUE(s.pop3.live);
  EXPECT_FALSE(s.pop3.secure);  // STLS, as SMTP's STARTTLS
  EXPECT_EQ(inbox::web_url(s.http), "http://127.0.0.1:8025");
}

TEST(InboxSettings, POP3IsTheListenerOrNone) {
  auto c = config_of("[pop3]\nlisten = \"127.0.0.1:0\"\n");
  BoundPorts bound{40001, {40002}, 40003};
  EXPECT_EQ(inbox::host_and_port(inbox_client_settings(c, &bound).pop3), "127.0.0.1:40003");
  auto none = inbox_client_settings(config_of("[pop3]\nlisten = \"\"\n"), nullptr);
  EXPECT_FALSE(none.pop3.live);
}

TEST(InboxSettings, ServingGivesThePortsTheListenersTook) {
  auto c = config_of("[http]\nlisten = \"0.0.0.0:0\"\n[smtp]\nlisten = \"[::1]:0\"\n");
  BoundPorts bound{40001, {40002}};
  auto s = inbox_client_settings(c, &bound);
  EXPECT_EQ(s.http.host, "0.0.0.0");  // a wildcard: answered per client (for_client)
  EXPECT_EQ(s.http.port, 40001);
  EXPECT_EQ(inbox::host_and_port(s.smtp), "[::1]:40002");
  EXPECT_EQ(s.smtp.port, 40002);
}

TEST(InboxSettings, ImapGivesItsBoundPortOrTheImplicitTlsListener) {
  BoundPorts bound{40001, {40002}, 0, 40003, 0};
  auto s = inbox_client_settings(config_of("[imap]\nlisten = \"127.0.0.1:0\"\n"), &bound);
  EXPECT_EQ(inbox::host_and_port(s.imap), "127.0.0.1:40003");
  EXPECT_TRUE(s.imap.live);
  bound.imaps = 40004;
  s = inbox_client_settings(config_of("[imap]\nlisten = \"\"\ntls_listen = \"127.0.0.1:0\"\n"),
                            &bound);
  EXPECT_EQ(inbox::host_and_port(s.imap), "127.0.0.1:40004");
  EXPECT_TRUE(s.imap.secure);
  s = inbox_client_settings(config_of("[imap]\nlisten = \"\"\n"), nullptr);
  EXPECT_EQ(inbox::host_and_port(s.imap), "127.0.0.1:1143");
  EXPECT_FALSE(s.imap.live);
}

TEST(InboxSettings, ANodeWithoutSmtpSaysSo) {
  auto s = inbox_client_settings(config_of("[smtp]\nlisten = \"\"\n"), nullptr);
  EXPECT_EQ(s.smtp.host, "");
  EXPECT_FALSE(s.smtp.live);
}

}  // namespace
}  // namespace postern::app
