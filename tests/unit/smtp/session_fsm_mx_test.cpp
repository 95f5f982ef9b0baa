// SessionFsm as the test inbox's MX (SessionPolicy::mx, docs/inbox.md "MX
// listener"): no AUTH, any client, recipients only at the mailboxes of its
// domain, whatever the sender, the client's address or TLS; the mail it
// takes is caught for its recipients.
#include <gtest/gtest.h>

#include "core/caught_mail.h"
#include "delivery/intake.h"
#include "fsm_harness.h"

namespace postern::smtp {
namespace {

using test::Action;
using test::codes;

class SessionFsmMxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mailboxes.add("alice@inbox.example.test");
    mailboxes.add("bob@inbox.example.test");
    h.policy.tls_available = true;
    h.policy.mx = mailboxes.policy("inbox.example.test");
  }

  // EHLO and MAIL FROM `from`; the transaction is open.
  void open(std::string_view from = "app@staging.example") {
    h.send("EHLO relay.example");
    ASSERT_EQ(codes(h.send("MAIL FROM:<" + std::string(from) + ">")), "250");
  }
  std::string rcpt(std::string_view to) { return h.send("RCPT TO:<" + std::string(to) + ">"); }

  test::FakeMailboxes mailboxes;
  test::FsmHarness h;
};

TEST_F(SessionFsmMxTest, OffersStartTlsButNeverAuth) {
  h.connect_untrusted();
  auto ehlo = h.send("EHLO relay.example");
  EXPECT_NE(ehlo.find("STARTTLS\r\n"), std::string::npos) << ehlo;
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos) << ehlo;
  EXPECT_EQ(h.send("AUTH PLAIN AGsAcw=="),
            "502 5.5.1 AUTH not available: this listener only takes mail for its own domain\r\n");
  EXPECT_EQ(h.last_action, Action::read);  // no credentials are ever checked

  // Not after STARTTLS either, nor when AUTH without TLS is configured.
  h.send("STARTTLS");
  ASSERT_EQ(h.last_action, Action::start_tls);
  h.complete_tls(true);
  h.policy.auth_without_tls = true;
  ehlo = h.send("EHLO relay.example");
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos) << ehlo;
  EXPECT_EQ(codes(h.send("AUTH LOGIN")), "502");
}

TEST_F(SessionFsmMxTest, AnyClientMayMailTheDomainsMailboxesAndTheMailIsCaughtForThem) {
  h.connect_untrusted();  // no AUTH, not a trusted network
  open();
  EXPECT_EQ(rcpt("alice@inbox.example.test"), "250 2.1.5 Recipient ok\r\n");
  EXPECT_EQ(codes(rcpt("Bob@INBOX.Example.Test")), "250");  // the domain in any case
  auto stored = h.data("From: app@staging.example\r\nSubject: Hi\r\n\r\nHello\r\n");
  ASSERT_TRUE(stored);
  auto& m = *stored;
  EXPECT_EQ(m.catch_account, kCatchForRecipients);
  ASSERT_EQ(m.envelope.recipients.size(), 2u);
  EXPECT_EQ(m.envelope.recipients[0].address, "alice@inbox.example.test");
  EXPECT_EQ(m.envelope.recipients[1].address, "Bob@INBOX.Example.Test");
  EXPECT_EQ(m.envelope.sender, "app@staging.example");
  EXPECT_EQ(m.submitted_by, "");
  // Ethereal's tail, as on the submission port.
  EXPECT_EQ(h.store_ok(42), "250 2.0.0 Ok: queued as " + MessageId(42).to_string() +
                                " [STATUS=new MSGID=" + MessageId(42).to_string() + "]\r\n");
}

TEST_F(SessionFsmMxTest, NeverRelaysWhateverTheSenderClientOrTls) {
  const std::vector<std::string> others{"x@example.org", "alice@inbox.example.test.evil.example",
                                        "alice@sub.inbox.example.test", "alice@[127.0.0.1]",
                                        "\"alice@inbox.example.test\"@example.org"};
  // Every address answers as a mailbox: the domain alone must decide.
  for (const auto& other : others) mailboxes.add(other);
  auto refused = [&](std::string_view from) {
    open(from);
    for (const auto& other : others) {
      EXPECT_EQ(rcpt(other),
                "550 5.7.1 Relaying denied: this server takes mail only for its own domain\r\n")
          << other;
    }
    EXPECT_EQ(codes(h.send("DATA")), "554");  // no valid recipients
    h.send("RSET");
  };
  h.policy.max_errors = 100;  // this test probes more than a session may
  h.connect_trusted();        // loopback: trusted on the submission port, not here
  refused("app@staging.example");
  refused("alice@inbox.example.test");  // a sender of the domain itself
  refused("");                          // the null sender
  h.send("STARTTLS");
  h.complete_tls(true);
  refused("alice@inbox.example.test");
  EXPECT_TRUE(mailboxes.lookups.empty());  // never asked for another domain's address
}

TEST_F(SessionFsmMxTest, UnknownFullAndUnreadableMailboxes) {
  mailboxes.add("full@inbox.example.test", 1000, 1000);
  mailboxes.add("roomy@inbox.example.test", 1000, 999);
  h.connect_untrusted();
  open();
  EXPECT_EQ(rcpt("nobody@inbox.example.test"),
            "550 5.1.1 No such mailbox: no test account has this address\r\n");
  EXPECT_EQ(rcpt("full@inbox.example.test"),
            "552 5.2.2 Mailbox full: the test account is over its quota\r\n");
  EXPECT_EQ(codes(rcpt("roomy@inbox.example.test")), "250");
  mailboxes.failure = error_code(Errc::storage_unavailable);
  EXPECT_EQ(rcpt("alice@inbox.example.test"), "451 4.3.0 Temporary failure, try again later\r\n");
  // The refused ones are not in the message.
  auto m = h.data("Subject: x\r\n\r\nx\r\n");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->envelope.recipients.size(), 1u);
  EXPECT_EQ(m->envelope.recipients[0].address, "roomy@inbox.example.test");
}

TEST_F(SessionFsmMxTest, AMessageLargerThanAMailboxHasRoomForIsRefusedAfterData) {
  h.connect_untrusted();
  open();
  rcpt("alice@inbox.example.test");
  ASSERT_TRUE(h.data("Subject: big\r\n\r\nx\r\n"));
  // Intake's quota check, as for mail sent with a test account's credentials.
  EXPECT_EQ(h.complete_store(delivery::quota_exceeded()),
            "552 5.2.2 Mailbox full: the test account is over its quota\r\n");
}

TEST_F(SessionFsmMxTest, TheSubmissionLimitsStillHold) {
  h.policy.max_recipients = 1;
  h.policy.max_message_bytes = 100;
  h.connect_untrusted();
  h.send("EHLO relay.example");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example> SIZE=101")), "552");
  open();
  EXPECT_EQ(codes(rcpt("alice@inbox.example.test")), "250");
  EXPECT_EQ(codes(rcpt("bob@inbox.example.test")), "452");
}

TEST_F(SessionFsmMxTest, ProbingEndsTheSession) {
  h.policy.max_errors = 3;
  h.connect_untrusted();
  open();
  rcpt("a@example.org");
  rcpt("b@example.org");
  EXPECT_EQ(codes(rcpt("c@example.org")), "550 421");
  EXPECT_EQ(h.last_action, Action::close);
  EXPECT_EQ(h.send("NOOP"), "");
}

}  // namespace
}  // namespace postern::smtp
