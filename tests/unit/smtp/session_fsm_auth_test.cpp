// SessionFsm step by step: relay policy, STARTTLS, AUTH PLAIN/LOGIN, and
// BDAT (RFC 3030) sequences.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "delivery/intake.h"
#include "fsm_harness.h"

namespace postern::smtp {
namespace {

using test::Action;
using test::codes;
using test::principal;

std::string plain(std::string_view user, std::string_view password) {
  return base64_encode(std::string("\0", 1) + std::string(user) + std::string("\0", 1) +
                       std::string(password));
}

class SessionFsmAuthTest : public ::testing::Test {
 protected:
  // An untrusted client that has done STARTTLS and EHLO.
  void connect_over_tls() {
    h.policy.tls_available = true;
    h.connect_untrusted();
    h.send("EHLO c");
    ASSERT_EQ(h.send("STARTTLS"), "220 2.0.0 Ready to start TLS\r\n");
    ASSERT_EQ(h.last_action, Action::start_tls);
    h.complete_tls(true);
    h.send("EHLO c");
  }

  test::FsmHarness h;
};

TEST_F(SessionFsmAuthTest, UntrustedClientWithoutAuthIsRefused) {
  h.connect_untrusted();
  h.send("EHLO c");
  EXPECT_EQ(h.send("MAIL FROM:<a@x.example>"), "530 5.7.0 Authentication required\r\n");
  EXPECT_EQ(codes(h.send("RCPT TO:<b@y.example>")), "530");
  EXPECT_EQ(codes(h.send("DATA")), "530");
  // BDAT's chunk is still read (and dropped) so that it is not taken for commands.
  EXPECT_EQ(codes(h.feed("BDAT 12 LAST\r\nMAIL FROM:<>")), "530");
  EXPECT_EQ(h.last_action, Action::read);
}

TEST_F(SessionFsmAuthTest, AuthNeedsTlsUnlessConfigured) {
  h.policy.tls_available = true;
  h.connect_untrusted();
  auto ehlo = h.send("EHLO c");
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos);
  EXPECT_EQ(h.send("AUTH PLAIN " + plain("k", "s")),
            "538 5.7.11 Encryption required for requested authentication mechanism\r\n");

  h.policy.auth_without_tls = true;
  h.connect_untrusted();
  EXPECT_NE(h.send("EHLO c").find("AUTH PLAIN LOGIN\r\n"), std::string::npos);
  h.send("AUTH PLAIN " + plain("k", "s"));
  EXPECT_EQ(h.last_action, Action::check_credentials);
}

TEST_F(SessionFsmAuthTest, StartTlsResetsStateAndDropsPipelinedPlaintext) {
  h.policy.tls_available = true;
  h.connect_untrusted();
  h.send("EHLO c");
  // The MAIL after STARTTLS came in clear text: it must never be executed.
  EXPECT_EQ(h.feed("STARTTLS\r\nMAIL FROM:<a@x.example>\r\n"), "220 2.0.0 Ready to start TLS\r\n");
  ASSERT_EQ(h.last_action, Action::start_tls);
  EXPECT_EQ(h.complete_tls(true), "");
  EXPECT_EQ(h.last_action, Action::read);
  EXPECT_TRUE(h.fsm->tls_active());
  // EHLO is needed again (RFC 3207 §4.2); STARTTLS is gone, AUTH is there.
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example>")), "503");
  auto ehlo = h.send("EHLO c");
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_NE(ehlo.find("250 AUTH PLAIN LOGIN\r\n"), std::string::npos);
  EXPECT_EQ(h.send("STARTTLS"), "503 5.5.1 TLS already active\r\n");
}

TEST_F(SessionFsmAuthTest, StartTlsRefusals) {
  h.policy.tls_available = true;
  h.connect_trusted();
  h.send("EHLO c");
  h.send("MAIL FROM:<a@x.example>");
  EXPECT_EQ(h.send("STARTTLS"), "503 5.5.1 MAIL transaction in progress\r\n");
  h.send("RSET");
  h.send("STARTTLS");
  EXPECT_EQ(h.complete_tls(false), "");
  EXPECT_EQ(h.last_action, Action::close);
  EXPECT_EQ(h.fsm->close_reason(), "TLS handshake failed: TLSv1.3 with cipher TEST");
}

TEST_F(SessionFsmAuthTest, AuthPlainWithInitialResponse) {
  connect_over_tls();
  h.send("AUTH PLAIN " + plain("mykey", "pst_secret"));
  ASSERT_EQ(h.last_action, Action::check_credentials);
  auto creds = h.fsm->take_credentials();
  EXPECT_EQ(creds.user, "mykey");
  EXPECT_EQ(creds.password, "pst_secret");
  EXPECT_EQ(h.complete_auth(principal("mykey")), "235 2.7.0 Authentication successful\r\n");
  EXPECT_EQ(h.send("AUTH PLAIN " + plain("mykey", "pst_secret")),
            "503 5.5.1 Already authenticated\r\n");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example>")), "250");
  EXPECT_EQ(codes(h.send("RCPT TO:<b@y.example>")), "250");
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\nx\r\n.\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  auto m = h.fsm->take_message();
  EXPECT_EQ(m.submitted_by, "mykey");
  EXPECT_NE(m.content.find("with ESMTPSA\r\n\t(using TLSv1.3 with cipher TEST)"),
            std::string::npos);
}

TEST_F(SessionFsmAuthTest, AuthPlainWithChallengeAndFailure) {
  connect_over_tls();
  EXPECT_EQ(h.send("AUTH PLAIN"), "334 \r\n");
  h.send(plain("mykey", "wrong"));
  ASSERT_EQ(h.last_action, Action::check_credentials);
  h.fsm->take_credentials();
  EXPECT_EQ(h.complete_auth(std::nullopt), "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(h.metrics.auth_failures.value(), 1u);
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example>")), "530");
}

TEST_F(SessionFsmAuthTest, AuthLogin) {
  connect_over_tls();
  EXPECT_EQ(h.send("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(h.send(base64_encode("user1")), "334 UGFzc3dvcmQ6\r\n");
  h.send(base64_encode("pass word"));
  ASSERT_EQ(h.last_action, Action::check_credentials);
  auto creds = h.fsm->take_credentials();
  EXPECT_EQ(creds.user, "user1");
  EXPECT_EQ(creds.password, "pass word");
  h.complete_auth(principal("user1"));
  // LOGIN with the user name as initial response.
  connect_over_tls();
  EXPECT_EQ(h.send("AUTH LOGIN " + base64_encode("user1")), "334 UGFzc3dvcmQ6\r\n");
}

TEST_F(SessionFsmAuthTest, AuthErrors) {
  connect_over_tls();
  EXPECT_EQ(h.send("AUTH CRAM-MD5"), "504 5.5.4 Unrecognized authentication type\r\n");
  h.send("AUTH LOGIN");
  EXPECT_EQ(h.send("*"), "501 5.7.0 Authentication cancelled\r\n");
  h.send("AUTH PLAIN");
  EXPECT_EQ(h.send("not base64!"), "501 5.5.2 Cannot decode response\r\n");
  EXPECT_EQ(codes(h.send("AUTH PLAIN " + base64_encode("no nul separators"))), "535");
  EXPECT_EQ(codes(h.send("AUTH PLAIN " + base64_encode(std::string("other\0me\0pw", 11)))), "535");
  h.send("MAIL FROM:<a@x.example>");  // refused (not authenticated): still no transaction
  EXPECT_EQ(codes(h.send("AUTH PLAIN =")), "535");
  // AUTH needs EHLO, not HELO.
  h.send("HELO c");
  EXPECT_EQ(h.send("AUTH PLAIN"), "503 5.5.1 Send EHLO first\r\n");
}

// Mail of a test account is caught for it (docs/inbox.md "How mail is
// caught"), and refused for good when the account is full.
TEST_F(SessionFsmAuthTest, TestAccountMailIsCaughtAndRefusedWhenFull) {
  connect_over_tls();
  h.send("AUTH PLAIN " + plain("brave-otter-4821", "pw"));
  h.fsm->take_credentials();
  auto account = principal("brave-otter-4821");
  account.kind = auth::Principal::Kind::test_account;
  account.catch_account = 7;
  EXPECT_EQ(codes(h.complete_auth(account)), "235");
  auto send_one = [this] {
    h.send("MAIL FROM:<a@x.example>");
    h.send("RCPT TO:<b@y.example>");
    h.send("DATA");
    h.feed("From: a@x.example\r\n\r\nx\r\n.\r\n");
    ASSERT_EQ(h.last_action, Action::store_message);
    EXPECT_EQ(h.fsm->take_message().catch_account, 7);
  };
  send_one();
  EXPECT_EQ(codes(h.store_ok()), "250");
  send_one();
  EXPECT_EQ(h.complete_store(delivery::quota_exceeded()),
            "552 5.2.2 Mailbox full: the test account is over its quota\r\n");
}

TEST_F(SessionFsmAuthTest, PrincipalWithoutSendScopeCannotSend) {
  h.policy.auth_without_tls = true;
  h.connect_trusted();  // even on a trusted network
  h.send("EHLO c");
  h.send("AUTH PLAIN " + plain("reader", "s"));
  h.fsm->take_credentials();
  EXPECT_EQ(codes(h.complete_auth(principal("reader", false))), "235");
  EXPECT_EQ(h.send("MAIL FROM:<a@x.example>"), "550 5.7.1 Not authorized to send mail\r\n");
}

TEST_F(SessionFsmAuthTest, TlsResetForgetsAuthentication) {
  h.policy.auth_without_tls = true;
  h.policy.tls_available = true;
  h.connect_untrusted();
  h.send("EHLO c");
  h.send("AUTH PLAIN " + plain("k", "s"));
  h.fsm->take_credentials();
  h.complete_auth(principal("k"));
  h.send("STARTTLS");
  h.complete_tls(true);
  h.send("EHLO c");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example>")), "530");
}

// --- BDAT (RFC 3030) ---

TEST_F(SessionFsmAuthTest, BdatChunksMakeOneMessage) {
  h.connect_trusted();
  h.open_transaction();
  std::string part1 = "From: a@x.example\r\n\r";
  std::string part2 = "\nline with bare-looking start\r\n.\r\n";  // dots are not special in BDAT
  EXPECT_EQ(h.feed("BDAT " + std::to_string(part1.size()) + "\r\n" + part1),
            "250 2.0.0 " + std::to_string(part1.size()) + " octets received\r\n");
  h.feed("BDAT " + std::to_string(part2.size()) + " LAST\r\n" + part2.substr(0, 5));
  EXPECT_EQ(h.last_action, Action::read);
  h.feed(part2.substr(5));
  ASSERT_EQ(h.last_action, Action::store_message);
  auto m = h.fsm->take_message();
  EXPECT_TRUE(m.content.ends_with(part1 + part2));
  // BDAT LAST ends like DATA: the id, then Ethereal's [STATUS MSGID] tail.
  auto id = MessageId(7).to_string();
  EXPECT_EQ(h.store_ok(7), "250 2.0.0 Ok: queued as " + id + " [STATUS=new MSGID=" + id + "]\r\n");
}

TEST_F(SessionFsmAuthTest, BdatPipelinedWithCommands) {
  h.connect_trusted();
  std::string body = "From: a@x.example\r\n\r\nhi\r\n";
  auto r = h.feed("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nBDAT " +
                  std::to_string(body.size()) + " LAST\r\n" + body + "QUIT\r\n");
  EXPECT_EQ(codes(r), "250 250 250");
  ASSERT_EQ(h.last_action, Action::store_message);
  h.fsm->take_message();
  EXPECT_EQ(codes(h.store_ok()), "250 221");
  EXPECT_EQ(h.last_action, Action::close);
}

TEST_F(SessionFsmAuthTest, BdatSequenceErrors) {
  h.connect_trusted();
  h.send("EHLO c");
  // Without MAIL the chunk is read and dropped, then refused.
  EXPECT_EQ(h.feed("BDAT 4\r\nNOOP"), "503 5.5.1 Send MAIL first\r\n");
  h.send("MAIL FROM:<a@x.example>");
  EXPECT_EQ(h.feed("BDAT 3 LAST\r\nabc"), "554 5.5.1 No valid recipients\r\n");
  h.send("RCPT TO:<b@y.example>");
  EXPECT_EQ(codes(h.feed("BDAT 3\r\nabc")), "250");
  EXPECT_EQ(h.send("DATA"), "503 5.5.1 DATA cannot follow BDAT\r\n");
  EXPECT_EQ(codes(h.feed("BDAT 0 LAST\r\n")), "554");  // "abc" has no header
}

TEST_F(SessionFsmAuthTest, BdatOversizeFailsTheTransaction) {
  h.policy.max_message_bytes = 10;
  h.connect_trusted();
  h.open_transaction();
  EXPECT_EQ(codes(h.feed("BDAT 8\r\n12345678")), "250");
  EXPECT_EQ(h.feed("BDAT 8\r\n12345678"), "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(h.feed("BDAT 2 LAST\r\n12"), "503 5.5.1 Send MAIL first\r\n");
}

TEST_F(SessionFsmAuthTest, BdatBareNewlineRefused) {
  h.connect_trusted();
  h.open_transaction();
  std::string body = "From: a@x.example\r\n\r\nhi\n.\nMAIL FROM:<x@y.example>\r\n";
  EXPECT_EQ(codes(h.feed("BDAT " + std::to_string(body.size()) + " LAST\r\n" + body)), "554");
  EXPECT_NE(h.last_action, Action::store_message);
}

TEST_F(SessionFsmAuthTest, UnparseableBdatCloses) {
  h.connect_trusted();
  h.open_transaction();
  EXPECT_EQ(codes(h.feed("BDAT lots\r\nMAIL FROM:<x@y.example>\r\n")), "501");
  EXPECT_EQ(h.last_action, Action::close);
}

}  // namespace
}  // namespace postern::smtp
