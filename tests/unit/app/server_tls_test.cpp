#include "app/server_tls.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace postern::app {
namespace {

namespace fs = std::filesystem;

Config config(const std::string& toml, const Environment& env = {}) {
  auto c = parse_config(toml, env);
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? *c : Config{};
}

TEST(ServerTls, SelfSignedIsOnByDefaultAndMayBeTurnedOff) {
  EXPECT_TRUE(config("").smtp.server.tls.self_signed);
  EXPECT_FALSE(config("[tls]\nself_signed = false\n").smtp.server.tls.self_signed);
  EXPECT_FALSE(config("", {{"POSTERN_TLS_SELF_SIGNED", "false"}}).smtp.server.tls.self_signed);
}

TEST(ServerTls, AnImplicitTlsListenerNeedsFilesOnlyWithoutSelfSigned) {
  auto c = config("[smtp]\ntls_listen = \"127.0.0.1:0\"\n");
  EXPECT_EQ(c.smtp.listeners().size(), 2u);
  auto refused =
      parse_config("[smtp]\ntls_listen = \"127.0.0.1:0\"\n[tls]\nself_signed = false\n", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().key, "smtp.tls_listen");
}

TEST(ServerTls, NamesTheLoopbackTheHostAndBoundAddresses) {
  auto c = config(
      "[smtp]\nhostname = \"mx.example.test\"\nlisten = \"192.0.2.7:25\"\n"
      "tls_listen = \"0.0.0.0:465\"\n");
  EXPECT_EQ(self_signed_names(c, "box"),
            (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "mx.example.test", "box",
                                      "192.0.2.7"}));
  // POP3's address too.
  EXPECT_EQ(self_signed_names(config("[pop3]\nlisten = \"192.0.2.8:110\"\n"), "box"),
            (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "box", "192.0.2.8"}));
  // The test inbox's MX listener's too.
  EXPECT_EQ(self_signed_names(config("[inbox]\nmx_listen = \"192.0.2.9:25\"\n"), "box"),
            (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "box", "192.0.2.9"}));
  // The defaults: hostname localhost, listening on 127.0.0.1, no duplicates.
  EXPECT_EQ(self_signed_names(config(""), "localhost"),
            (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));
}

// On PostgreSQL there is no store file to sit beside: the node's local
// folder is data/ where it runs (docs/configuration.md).
TEST(ServerTls, OnPostgresTheSelfSignedFilesLiveInDataWhereTheNodeRuns) {
  auto c = config("", {{"POSTERN_STORE_BACKEND", "postgres"},
                       {"POSTERN_STORE_URL", "postgresql://postern@db/postern"}});
  EXPECT_EQ(self_signed_dir(c), fs::path("data") / "tls");
}

TEST(ServerTls, TheSelfSignedFilesLiveBesideTheStore) {
  test::TempDir dir;
  auto store = (dir.path() / "node" / "postern.db").string();
  auto c = config("", {{"POSTERN_STORE_PATH", store}});
  EXPECT_EQ(self_signed_dir(c), dir.path() / "node" / "tls");
  auto tls = server_tls(c, std::chrono::system_clock::now());
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_EQ(tls->cert, (dir.path() / "node" / "tls" / "self-signed.crt").string());
  EXPECT_EQ(tls->key, (dir.path() / "node" / "tls" / "self-signed.key").string());
  EXPECT_TRUE(fs::exists(tls->cert) && fs::exists(tls->key));
}

TEST(ServerTls, ConfiguredFilesOrSelfSignedOffMakeNothing) {
  test::TempDir dir;
  Environment store{{"POSTERN_STORE_PATH", (dir.path() / "postern.db").string()}};
  auto files = server_tls(config("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n", store),
                          std::chrono::system_clock::now());
  ASSERT_TRUE(files);
  EXPECT_EQ(files->cert, "c.pem");
  auto off =
      server_tls(config("[tls]\nself_signed = false\n", store), std::chrono::system_clock::now());
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->enabled());
  // No SMTP or POP3 listener: no server would present it.
  auto unused = server_tls(config("[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n", store),
                           std::chrono::system_clock::now());
  ASSERT_TRUE(unused);
  EXPECT_FALSE(unused->enabled());
  EXPECT_FALSE(fs::exists(dir.path() / "tls"));
  // The MX listener alone presents one (STARTTLS).
  auto mx = server_tls(
      config("[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n[inbox]\nmx_listen = \"127.0.0.1:0\"\n",
             store),
      std::chrono::system_clock::now());
  ASSERT_TRUE(mx);
  EXPECT_TRUE(mx->enabled() && mx->self_signed);
}

TEST(ServerTls, TheMxListenerHasTheSubmissionListenersOptionsButNoAuthNorImplicitTls) {
  auto c = config(
      "[smtp]\nhostname = \"mx.example.test\"\nauth_without_tls = true\nmax_errors = 5\n"
      "[messages]\nmax_message_bytes = \"1MiB\"\n[inbox]\nmx_listen = \"127.0.0.1:2526\"\n");
  auto mx = c.smtp.mx_listener(c.inbox.mx_listen);
  EXPECT_EQ(mx.listen, "127.0.0.1:2526");
  EXPECT_EQ(mx.hostname, "mx.example.test");
  EXPECT_EQ(mx.max_errors, 5u);
  EXPECT_EQ(mx.limits.max_message_bytes, 1024u * 1024);
  EXPECT_FALSE(mx.implicit_tls);
  EXPECT_FALSE(mx.auth_without_tls);
}

}  // namespace
}  // namespace postern::app
