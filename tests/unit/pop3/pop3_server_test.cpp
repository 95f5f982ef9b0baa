// The POP3 server over real sockets with an in-memory Backend: a whole
// session, STLS, the maildrop lock, the connection and login limits, the
// idle timeout and stop().
#include "pop3/pop3_server.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "net/io_runtime.h"
#include "pop3_test_client.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace postern::pop3 {
namespace {

using namespace std::chrono_literals;
using test::Pop3TestClient;

// One account, "alice"/"secret", whose maildrop is `messages`.
class MemoryBackend final : public Backend {
 public:
  class Drop final : public Maildrop {
   public:
    explicit Drop(MemoryBackend& owner) : owner_(owner) {
      std::lock_guard lock(owner_.mu);
      for (const auto& [uid, content] : owner_.messages) {
        info_.push_back({uid, content.size()});
        contents_.push_back(content);
      }
    }
    const std::vector<MessageInfo>& messages() const override { return info_; }
    Result<std::string> content(std::size_t index) override { return contents_.at(index); }
    void remove(std::vector<std::size_t> indices, std::function<void(Result<void>)> done) override {
      {
        std::lock_guard lock(owner_.mu);
        for (auto i : indices) owner_.messages.erase(info_.at(i).uid);
      }
      // From another thread, as the store's writer would.
      std::thread([done = std::move(done)] { done({}); }).detach();
    }

   private:
    MemoryBackend& owner_;
    std::vector<MessageInfo> info_;
    std::vector<std::string> contents_;
  };

  Result<Account> authenticate(std::string_view user, std::string_view password) override {
    if (user != "alice" || password != "secret") return error_code(Errc::not_found);
    return Account{1, "alice", std::chrono::hours(24)};
  }
  Result<std::unique_ptr<Maildrop>> open(const Account&) override {
    return std::unique_ptr<Maildrop>(std::make_unique<Drop>(*this));
  }

  std::mutex mu;
  std::map<std::string, std::string> messages;  // uid -> content, guarded by mu
};

class Pop3ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.messages = {{"9.1", "Subject: a\r\n\r\n.hi\r\n"}, {"9.2", "Subject: b\n\nyo\n"}};
    options_.listen = "127.0.0.1:0";
    options_.login_failure_delay = 10ms;
    runtime_.start();
  }
  void TearDown() override {
    if (server_) server_->stop(1s);
    runtime_.stop();
  }
  std::uint16_t start() {
    server_ = std::make_unique<Pop3Server>(runtime_, options_, backend_, metrics_);
    auto port = server_->start();
    EXPECT_TRUE(port);
    return port ? *port : 0;
  }

  MemoryBackend backend_;
  Pop3ServerOptions options_;
  MetricsRegistry metrics_;
  net::IoRuntime runtime_{2};
  std::unique_ptr<Pop3Server> server_;
};

TEST_F(Pop3ServerTest, ReadsAndDeletesMail) {
  Pop3TestClient c(start());
  EXPECT_EQ(c.line(), "+OK Postern POP3 server ready\r\n");
  EXPECT_EQ(c.command("USER alice"), "+OK send PASS\r\n");
  EXPECT_EQ(c.command("PASS secret"), "+OK logged in, 2 messages (34 octets)\r\n");
  c.send("UIDL\r\n");
  EXPECT_EQ(c.block(), "+OK unique-id listing follows\r\n1 9.1\r\n2 9.2\r\n.\r\n");
  c.send("RETR 1\r\n");
  EXPECT_EQ(c.block(), "+OK 19 octets\r\nSubject: a\r\n\r\n..hi\r\n.\r\n");
  c.send("TOP 2 0\r\n");
  EXPECT_EQ(c.block(), "+OK top of message 2 follows\r\nSubject: b\r\n\r\n.\r\n");
  EXPECT_EQ(c.command("DELE 1"), "+OK message 1 deleted\r\n");
  EXPECT_EQ(c.command("QUIT"),
            "+OK Postern POP3 server signing off (1 messages deleted, 1 left)\r\n");
  EXPECT_TRUE(c.wait_closed());
  std::lock_guard lock(backend_.mu);
  EXPECT_EQ(backend_.messages.size(), 1u);
  EXPECT_TRUE(backend_.messages.contains("9.2"));
}

TEST_F(Pop3ServerTest, ASecondSessionOfTheAccountIsRefusedWhileTheFirstHoldsTheLock) {
  auto port = start();
  auto a = std::make_unique<Pop3TestClient>(port);
  a->line();
  a->command("USER alice");
  EXPECT_EQ(a->command("PASS secret").substr(0, 13), "+OK logged in");
  Pop3TestClient b(port);
  b.line();
  b.command("USER alice");
  EXPECT_EQ(b.command("PASS secret"),
            "-ERR [IN-USE] maildrop already locked by another session\r\n");
  // A session that ends without QUIT releases the lock too.
  a.reset();
  std::string answer;
  for (int i = 0; i < 100; ++i) {
    b.command("USER alice");
    answer = b.command("PASS secret");
    if (answer.starts_with("+OK")) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(answer.substr(0, 13), "+OK logged in");
}

TEST_F(Pop3ServerTest, FailedLoginsDisconnect) {
  options_.max_login_failures = 2;
  Pop3TestClient c(start());
  c.line();
  c.command("USER alice");
  EXPECT_EQ(c.command("PASS nope"), "-ERR [AUTH] invalid user name or password\r\n");
  c.command("USER alice");
  EXPECT_EQ(c.command("PASS nope"),
            "-ERR [AUTH] invalid user name or password; too many failures, closing\r\n");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(Pop3ServerTest, ConnectionsPerAddressAreLimited) {
  options_.max_connections_per_address = 1;
  auto port = start();
  Pop3TestClient a(port);
  EXPECT_EQ(a.line(), "+OK Postern POP3 server ready\r\n");
  Pop3TestClient b(port);
  EXPECT_EQ(b.line(), "-ERR [SYS/TEMP] too many connections, try again later\r\n");
  EXPECT_TRUE(b.wait_closed());
}

TEST_F(Pop3ServerTest, IdleBeforeLoginIsClosedSilently) {
  options_.login_timeout = 1s;
  Pop3TestClient c(start());
  c.line();
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 10s);
}

TEST_F(Pop3ServerTest, StlsThenLogin) {
  postern::test::TempDir dir;
  auto pki = postern::test::make_test_pki({"localhost"});
  options_.tls.cert = dir.file("cert.pem");
  options_.tls.key = dir.file("key.pem");
  std::ofstream(options_.tls.cert) << pki.server_cert_pem;
  std::ofstream(options_.tls.key) << pki.server_key_pem;
  Pop3TestClient c(start());
  c.line();
  c.send("CAPA\r\n");
  EXPECT_NE(c.block().find("\r\nSTLS\r\n"), std::string::npos);
  EXPECT_EQ(c.command("STLS"), "+OK begin TLS negotiation\r\n");
  ASSERT_TRUE(c.start_tls());
  c.send("CAPA\r\n");
  EXPECT_EQ(c.block().find("STLS"), std::string::npos);
  c.command("USER alice");
  EXPECT_EQ(c.command("PASS secret").substr(0, 13), "+OK logged in");
  EXPECT_EQ(c.command("QUIT").substr(0, 3), "+OK");
}

TEST_F(Pop3ServerTest, StopEndsSessionsWithoutRemovingAnything) {
  Pop3TestClient c(start());
  c.line();
  c.command("USER alice");
  c.command("PASS secret");
  c.command("DELE 1");
  server_->stop(1s);
  EXPECT_EQ(c.line(), "-ERR [SYS/TEMP] server shutting down\r\n");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(server_->session_count(), 0u);
  std::lock_guard lock(backend_.mu);
  EXPECT_EQ(backend_.messages.size(), 2u);
}

TEST_F(Pop3ServerTest, RefusesABadListenAddressOrCertificate) {
  options_.listen = "nowhere";
  Pop3Server bad(runtime_, options_, backend_, metrics_);
  EXPECT_EQ(bad.start().error(), Errc::invalid_argument);
  options_.listen = "127.0.0.1:0";
  options_.tls.cert = "/nonexistent/cert.pem";
  options_.tls.key = "/nonexistent/key.pem";
  Pop3Server no_cert(runtime_, options_, backend_, metrics_);
  EXPECT_EQ(no_cert.start().error(), Errc::invalid_argument);
}

}  // namespace
}  // namespace postern::pop3
