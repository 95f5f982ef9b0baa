// The POP3 server over the real test-inbox storage (SqliteStore's
// InboxStore, through InboxBackend): mail delivered into an account's
// INBOX is listed, read byte-stuffed and deleted at QUIT, with UIDLs that
// stay the same from one session to the next.
#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "auth/credentials.h"
#include "inbox/accounts.h"
#include "net/io_runtime.h"
#include "pop3/inbox_backend.h"
#include "pop3/pop3_server.h"
#include "pop3_test_client.h"
#include "store/inbox_fixture.h"

namespace postern::pop3 {
namespace {

using namespace std::chrono_literals;
using test::Pop3TestClient;

class Pop3OverInboxTest : public store::InboxFixture {
 protected:
  void SetUp() override {
    InboxFixture::SetUp();
    ASSERT_TRUE(auth::init_crypto());
    store::NewInboxAccount a;
    a.user = "quiet-otter-0042";
    a.address = "quiet-otter-0042@inbox.example.test";
    a.password_hash = auth::hash_password("s3cret pass").value();
    a.retention = std::chrono::hours(72);
    auto made = wait<store::InboxAccount>([&](auto done) { inbox().create_account(a, done); });
    ASSERT_TRUE(made) << made.error().message();
    account_ = made->id;
    first_ = deliver_one(account_, "Subject: one\r\n\r\n.leading dot\r\nend\r\n", "one");
    second_ = deliver_one(account_, "Subject: two\n\nbare LF\n", "two");
    uid_validity_ = inbox().mailbox(account_, "INBOX").value().uid_validity;
    accounts_.emplace(inbox(), clock_, inbox::InboxOptions{});
    backend_.emplace(inbox(), *accounts_);
    runtime_.start();
    Pop3ServerOptions options;
    options.listen = "127.0.0.1:0";
    server_.emplace(runtime_, options, *backend_, metrics_);
    port_ = server_->start().value();
  }
  void TearDown() override {
    if (server_) server_->stop(1s);
    runtime_.stop();
  }
  std::string uidl(std::uint32_t uid) {
    return std::to_string(uid_validity_) + "." + std::to_string(uid);
  }
  void log_in(Pop3TestClient& c) {
    ASSERT_EQ(c.line(), "+OK Postern POP3 server ready\r\n");
    ASSERT_EQ(c.command("USER quiet-otter-0042"), "+OK send PASS\r\n");
    ASSERT_EQ(c.command("PASS s3cret pass").substr(0, 13), "+OK logged in");
  }

  store::AccountId account_ = 0;
  std::uint32_t first_ = 0;
  std::uint32_t second_ = 0;
  std::uint32_t uid_validity_ = 0;
  std::optional<inbox::AccountService> accounts_;  // logs in, as in the server
  std::optional<InboxBackend> backend_;            // once the store is open
  net::IoRuntime runtime_{1};
  std::optional<Pop3Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(Pop3OverInboxTest, ReadsAndDeletesDeliveredMail) {
  {
    Pop3TestClient c(port_);
    log_in(c);
    c.send("UIDL\r\n");
    EXPECT_EQ(c.block(), "+OK unique-id listing follows\r\n1 " + uidl(first_) + "\r\n2 " +
                             uidl(second_) + "\r\n.\r\n");
    c.send("RETR 1\r\n");
    EXPECT_EQ(c.block(), "+OK 35 octets\r\nSubject: one\r\n\r\n..leading dot\r\nend\r\n.\r\n");
    c.send("RETR 2\r\n");
    EXPECT_EQ(c.block(), "+OK 22 octets\r\nSubject: two\r\n\r\nbare LF\r\n.\r\n");
    EXPECT_EQ(c.command("DELE 1"), "+OK message 1 deleted\r\n");
    EXPECT_EQ(c.command("QUIT"),
              "+OK Postern POP3 server signing off (1 messages deleted, 1 left)\r\n");
    EXPECT_TRUE(c.wait_closed());
  }
  EXPECT_EQ(uids_of(inbox_of(account_)), std::vector<std::uint32_t>{second_});
  // The next session numbers what is left from 1, with the same UIDL.
  Pop3TestClient again(port_);
  log_in(again);
  EXPECT_EQ(again.command("STAT"), "+OK 1 22\r\n");
  EXPECT_EQ(again.command("UIDL 1"), "+OK 1 " + uidl(second_) + "\r\n");
  EXPECT_EQ(again.command("QUIT").substr(0, 3), "+OK");
}

TEST_F(Pop3OverInboxTest, ALoginIsAUseOfTheAccount) {
  clock_.advance(std::chrono::hours(5));
  Pop3TestClient c(port_);
  log_in(c);
  // touch_account is group-committed: wait for it to land.
  for (int i = 0; i < 200 && inbox().account(account_).value().last_used_at != clock_.now(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(inbox().account(account_).value().last_used_at, clock_.now());
  c.send("CAPA\r\n");
  EXPECT_NE(c.block().find("\r\nEXPIRE 3\r\n"), std::string::npos);
}

TEST_F(Pop3OverInboxTest, MessagesRemovedByAnotherReaderAreReportedNotSent) {
  Pop3TestClient c(port_);
  log_in(c);
  ASSERT_TRUE(expunge(inbox_of(account_), {first_}, false));
  EXPECT_EQ(c.command("RETR 1").substr(0, 16), "-ERR [SYS/PERM] ");
  c.send("RETR 2\r\n");
  EXPECT_EQ(c.block().substr(0, 15), "+OK 22 octets\r\n");
}

}  // namespace
}  // namespace postern::pop3
