// The real SmtpServer on 127.0.0.1:0 with a real SQLite store, Intake and
// Authenticator, driven by a blocking socket client.
#include "smtp/smtp_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "auth/credentials.h"
#include "core/base64.h"
#include "net/io_runtime.h"
#include "smtp_test_client.h"
#include "store/sqlite/sqlite_store.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace postern::smtp {
namespace {

using namespace std::chrono_literals;
using test::SmtpTestClient;

constexpr std::string_view kBody =
    "From: Alice <a@x.example>\r\nTo: b@y.example\r\nBcc: hidden@z.example\r\nSubject: "
    "Caf\xc3\xa9\r\n\r\n"
    "Hello\r\n.leading dot\r\n";
// kBody as sent: Bcc is stripped at intake, the leading dot stuffed on the wire.
constexpr std::string_view kStored =
    "From: Alice <a@x.example>\r\nTo: b@y.example\r\nSubject: Caf\xc3\xa9\r\n\r\nHello\r\n.leading "
    "dot\r\n";
constexpr std::string_view kWire =
    "From: Alice <a@x.example>\r\nTo: b@y.example\r\nBcc: hidden@z.example\r\nSubject: "
    "Caf\xc3\xa9\r\n\r\n"
    "Hello\r\n..leading dot\r\n.\r\n";

std::string code_of(const std::string& reply) { return reply.substr(0, 3); }

class SmtpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth::init_crypto());
    auto s = store::sqlite::SqliteStore::open({dir_.file("postern.db")}, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
    intake_ = std::make_unique<delivery::Intake>(*store_, metrics_, nullptr);
    auth_ = std::make_unique<auth::Authenticator>(*store_, clock_);
    runtime_.start();
    options_.hostname = "mx.test";
    options_.listen = "127.0.0.1:0";
  }

  void TearDown() override {
    if (server_) server_->stop(1s);
    runtime_.stop();
    store_->close();
  }

  std::uint16_t start() {
    server_ = std::make_unique<SmtpServer>(runtime_, options_, *intake_, *auth_, metrics_, clock_);
    auto port = server_->start();
    EXPECT_TRUE(port) << port.error().message();
    return port ? *port : 0;
  }

  void use_tls() {
    options_.tls.cert = dir_.file("cert.pem");
    options_.tls.key = dir_.file("key.pem");
    ASSERT_TRUE(test::write_self_signed_cert(options_.tls.cert, options_.tls.key));
  }

  std::string create_key(const std::string& name, std::vector<std::string> scopes) {
    auto secret = auth::generate_api_secret();
    store::StoredApiKey key{{name, std::move(scopes), clock_.now()}, auth::hash_api_secret(secret)};
    auto r = postern::test::await_completion<void>(
        [&](auto done) { store_->create_api_key(key, done); });
    EXPECT_TRUE(r);
    return secret;
  }

  // "250 2.0.0 Ok: queued as <id>" -> id
  MessageId queued_id(const std::string& reply) {
    auto pos = reply.find("queued as ");
    EXPECT_NE(pos, std::string::npos) << reply;
    auto id = MessageId::parse(reply.substr(pos + 10, 13));
    EXPECT_TRUE(id) << reply;
    return id.value_or(MessageId());
  }

  std::int64_t stored_count() {
    auto counts = store_->count_by_status().value();
    std::int64_t total = 0;
    for (auto c : counts) total += c;
    return total;
  }

  // Waits (bounded) until the server has no session left.
  void wait_sessions_gone() {
    for (int i = 0; i < 500 && server_->session_count() > 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server_->session_count(), 0u);
  }

  postern::test::TempDir dir_;
  postern::test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<delivery::Intake> intake_;
  std::unique_ptr<auth::Authenticator> auth_;
  net::IoRuntime runtime_{2};
  SmtpServerOptions options_;
  std::unique_ptr<SmtpServer> server_;
};

TEST_F(SmtpServerTest, FullTransactionIsStoredExactly) {
  SmtpTestClient c(start());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Postern\r\n");
  EXPECT_NE(c.command("EHLO client.test").find("250 CHUNKING"), std::string::npos);
  EXPECT_EQ(c.command("MAIL FROM:<a@x.example> BODY=8BITMIME"), "250 2.1.0 Sender ok\r\n");
  EXPECT_EQ(c.command("RCPT TO:<b@y.example>"), "250 2.1.5 Recipient ok\r\n");
  EXPECT_EQ(code_of(c.command("DATA")), "354");
  c.send(kWire);
  auto reply = c.read_reply();
  ASSERT_EQ(code_of(reply), "250") << reply;
  auto id = queued_id(reply);
  EXPECT_EQ(c.command("QUIT"), "221 2.0.0 mx.test Bye\r\n");
  EXPECT_TRUE(c.wait_closed());

  auto detail = store_->get_message(id);
  ASSERT_TRUE(detail) << detail.error().message();
  EXPECT_EQ(detail->summary.sender, "a@x.example");
  ASSERT_EQ(detail->summary.recipients.size(), 1u);
  EXPECT_EQ(detail->summary.recipients[0].address, "b@y.example");
  EXPECT_EQ(detail->summary.subject, "Caf\xc3\xa9");
  auto content = store_->get_content(id);
  ASSERT_TRUE(content);
  EXPECT_EQ(content->first, ContentFormat::mime);
  EXPECT_EQ(content->second,
            "Received: from client.test ([127.0.0.1])\r\n\tby mx.test (Postern) with ESMTP\r\n"
            "\tfor <b@y.example>;\r\n\tTue, 14 Nov 2023 22:13:20 +0000\r\n" +
                std::string(kStored));
}

TEST_F(SmtpServerTest, PipelinedTransactions) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  // RFC 2920: the whole envelope in one write; the replies come back in order.
  c.send("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<c@y.example>\r\nDATA\r\n");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "354");
  // The message, a second transaction and QUIT in one write.
  c.send(std::string(kWire) + "MAIL FROM:<a@x.example>\r\nRCPT TO:<d@y.example>\r\nDATA\r\n");
  auto first = c.read_reply();
  EXPECT_EQ(code_of(first), "250");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "354");
  c.send(std::string(kWire) + "QUIT\r\n");
  auto second = c.read_reply();
  EXPECT_EQ(code_of(second), "250");
  EXPECT_EQ(code_of(c.read_reply()), "221");
  EXPECT_NE(queued_id(first), queued_id(second));
  EXPECT_EQ(store_->get_message(queued_id(first))->summary.recipients.size(), 2u);
}

TEST_F(SmtpServerTest, BdatChunks) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  std::string body(kStored);
  body += ".a line with a dot stays as it is in BDAT\r\n";
  auto half = body.size() / 2;
  c.send("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nBDAT " + std::to_string(half) +
         "\r\n" + body.substr(0, half) + "BDAT " + std::to_string(body.size() - half) +
         " LAST\r\n" + body.substr(half));
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(code_of(c.read_reply()), "250");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 " + std::to_string(half) + " octets received\r\n");
  auto reply = c.read_reply();
  ASSERT_EQ(code_of(reply), "250") << reply;
  auto content = store_->get_content(queued_id(reply));
  ASSERT_TRUE(content);
  EXPECT_TRUE(content->second.ends_with("\r\n" + body));
}

TEST_F(SmtpServerTest, StartTlsThenAuthPlainWithApiKey) {
  use_tls();
  options_.trusted_networks = {"10.0.0.0/8"};  // the test client is not trusted
  auto secret = create_key("app1", {"send"});
  SmtpTestClient c(start());
  c.read_reply();
  auto ehlo = c.command("EHLO client.test");
  EXPECT_NE(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos);
  EXPECT_EQ(code_of(c.command("AUTH PLAIN " + base64_encode(std::string("\0app1\0", 6) + secret))),
            "538");
  EXPECT_EQ(c.command("STARTTLS"), "220 2.0.0 Ready to start TLS\r\n");
  ASSERT_TRUE(c.start_tls());
  EXPECT_NE(c.command("EHLO client.test").find("AUTH PLAIN LOGIN"), std::string::npos);
  EXPECT_EQ(code_of(c.command("MAIL FROM:<a@x.example>")), "530");
  EXPECT_EQ(code_of(c.command("AUTH PLAIN " + base64_encode(std::string("\0app1\0wrong", 11)))),
            "535");
  EXPECT_EQ(c.command("AUTH PLAIN " + base64_encode(std::string("\0app1\0", 6) + secret)),
            "235 2.7.0 Authentication successful\r\n");
  EXPECT_EQ(code_of(c.command("MAIL FROM:<a@x.example>")), "250");
  EXPECT_EQ(code_of(c.command("RCPT TO:<b@y.example>")), "250");
  EXPECT_EQ(code_of(c.command("DATA")), "354");
  c.send(kWire);
  auto reply = c.read_reply();
  ASSERT_EQ(code_of(reply), "250") << reply;
  auto id = queued_id(reply);
  auto content = store_->get_content(id)->second;
  EXPECT_NE(content.find("with ESMTPSA\r\n\t(using TLSv1."), std::string::npos) << content;
  EXPECT_TRUE(content.ends_with(kStored));
  EXPECT_EQ(c.command("QUIT"), "221 2.0.0 mx.test Bye\r\n");
}

TEST_F(SmtpServerTest, ImplicitTls) {
  use_tls();
  options_.implicit_tls = true;
  SmtpTestClient c(start(), /*implicit_tls=*/true);
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Postern\r\n");
  auto ehlo = c.command("EHLO client.test");
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_NE(ehlo.find("AUTH PLAIN LOGIN"), std::string::npos);
}

TEST_F(SmtpServerTest, RelayRefusedForUntrustedClient) {
  options_.trusted_networks = {"10.0.0.0/8", "::1/128"};
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  EXPECT_EQ(c.command("MAIL FROM:<a@x.example>"), "530 5.7.0 Authentication required\r\n");
  EXPECT_EQ(code_of(c.command("RCPT TO:<b@y.example>")), "530");
  EXPECT_EQ(code_of(c.command("DATA")), "530");
  c.command("QUIT");
  EXPECT_EQ(stored_count(), 0);
}

TEST_F(SmtpServerTest, DisconnectMidDataStoresNothing) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  c.command("MAIL FROM:<a@x.example>");
  c.command("RCPT TO:<b@y.example>");
  c.command("DATA");
  c.send("From: a@x.example\r\n\r\nhalf of a mess");
  c.close();
  wait_sessions_gone();
  EXPECT_EQ(stored_count(), 0);
}

TEST_F(SmtpServerTest, SmugglingAttemptStoresNothing) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  c.send("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  c.read_reply();
  c.read_reply();
  c.read_reply();
  c.send(
      "From: a@x.example\r\n\r\nhi\n.\nMAIL FROM:<boss@x.example>\r\nRCPT "
      "TO:<v@y.example>\r\nDATA\r\n"
      "From: boss@x.example\r\n\r\npay\r\n.\r\n");
  EXPECT_EQ(code_of(c.read_reply()), "554");
  EXPECT_EQ(code_of(c.command("QUIT")), "221");
  EXPECT_EQ(stored_count(), 0);
}

TEST_F(SmtpServerTest, ConnectionLimitPerAddress) {
  options_.max_connections_per_address = 1;
  options_.trusted_networks = {};  // trusted clients are exempt
  auto port = start();
  SmtpTestClient first(port);
  EXPECT_EQ(code_of(first.read_reply()), "220");
  SmtpTestClient second(port);
  EXPECT_EQ(second.read_reply(), "421 4.7.0 mx.test Too many connections, try again later\r\n");
  EXPECT_TRUE(second.wait_closed());
}

// Many sessions at once on two threads, one of them stalled mid-command:
// nobody waits for the slow one.
TEST_F(SmtpServerTest, ManyConcurrentSessionsAndASlowClient) {
  auto port = start();
  SmtpTestClient slow(port);
  slow.read_reply();
  slow.send("EHLO client.test\r\nMAIL FROM:<a@x.exa");
  std::vector<std::unique_ptr<SmtpTestClient>> clients;
  for (int i = 0; i < 300; ++i) {
    clients.push_back(std::make_unique<SmtpTestClient>(port));
    ASSERT_EQ(code_of(clients.back()->read_reply()), "220") << i;
  }
  EXPECT_EQ(server_->session_count(), 301u);
  for (auto& c : clients) {
    c->send("EHLO client.test\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  }
  for (auto& c : clients) {
    ASSERT_EQ(code_of(c->read_reply()), "250");
    ASSERT_EQ(code_of(c->read_reply()), "250");
    ASSERT_EQ(code_of(c->read_reply()), "250");
    ASSERT_EQ(code_of(c->read_reply()), "354");
    c->send(std::string(kWire) + "QUIT\r\n");
  }
  for (auto& c : clients) {
    ASSERT_EQ(code_of(c->read_reply()), "250");
    ASSERT_EQ(code_of(c->read_reply()), "221");
  }
  EXPECT_EQ(stored_count(), 300);
  slow.send("mple>\r\n");
  EXPECT_EQ(code_of(slow.read_reply()), "250");
  EXPECT_EQ(code_of(slow.read_reply()), "250");
}

TEST_F(SmtpServerTest, IdleTimeout) {
  options_.idle_timeout = 1s;
  SmtpTestClient c(start());
  c.read_reply();
  EXPECT_EQ(c.read_reply(), "421 4.4.2 mx.test Idle timeout, closing connection\r\n");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(SmtpServerTest, StopSendsShutdownToIdleSessions) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  std::thread stopper([&] { server_->stop(5s); });
  EXPECT_EQ(c.read_reply(), "421 4.3.2 mx.test Service shutting down, closing connection\r\n");
  EXPECT_TRUE(c.wait_closed());
  stopper.join();
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(SmtpServerTest, StopClosesAMessageStillArrivingAfterTheGracePeriod) {
  SmtpTestClient c(start());
  c.read_reply();
  c.command("EHLO client.test");
  c.command("MAIL FROM:<a@x.example>");
  c.command("RCPT TO:<b@y.example>");
  c.command("DATA");
  c.send("From: a@x.example\r\n\r\nslow");
  server_->stop(200ms);
  EXPECT_EQ(server_->session_count(), 0u);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(stored_count(), 0);
}

TEST_F(SmtpServerTest, BadOptionsFailToStart) {
  options_.trusted_networks = {"not-a-network"};
  server_ = std::make_unique<SmtpServer>(runtime_, options_, *intake_, *auth_, metrics_, clock_);
  EXPECT_EQ(server_->start().error(), Errc::invalid_argument);
  options_.trusted_networks = {};
  options_.implicit_tls = true;  // without a certificate
  server_ = std::make_unique<SmtpServer>(runtime_, options_, *intake_, *auth_, metrics_, clock_);
  EXPECT_EQ(server_->start().error(), Errc::invalid_argument);
  options_.implicit_tls = false;
  options_.listen = "127.0.0.1";
  server_ = std::make_unique<SmtpServer>(runtime_, options_, *intake_, *auth_, metrics_, clock_);
  EXPECT_EQ(server_->start().error(), Errc::invalid_argument);
}

}  // namespace
}  // namespace postern::smtp
