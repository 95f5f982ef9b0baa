// The simulated smarthost's sans-io session: EHLO extensions, AUTH PLAIN and
// LOGIN (RFC 4954), sequence errors, per-recipient rejection, DATA with
// dot-unstuffing (RFC 5321 §4.5.2), STARTTLS state reset (RFC 3207 §4.2).
#include "sim/smtp/relay_session.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace postern::sim {
namespace {

using Action = RelaySession::Action;

class RelaySessionTest : public ::testing::Test {
 protected:
  RelaySessionTest() { settings_.hostname = "relay.test"; }

  RelaySession& session() {
    if (!session_) session_.emplace(settings_, faults_);
    return *session_;
  }
  std::string say(std::string_view line) { return session().on_line(line).reply; }
  std::string code(std::string_view line) { return say(line).substr(0, 3); }

  RelaySettings settings_;
  FaultState faults_{FaultSpec{}, 1};
  std::optional<RelaySession> session_;
};

TEST_F(RelaySessionTest, EhloAdvertisesExtensions) {
  settings_.tls_available = true;
  EXPECT_EQ(session().greeting(), "220 relay.test ESMTP postern-sim\r\n");
  auto ehlo = say("EHLO client.example");
  for (std::string_view ext :
       {"250-PIPELINING\r\n", "250-SIZE 52428800\r\n", "250-STARTTLS\r\n",
        "250-AUTH PLAIN LOGIN\r\n", "250-8BITMIME\r\n", "250-ENHANCEDSTATUSCODES\r\n"}) {
    EXPECT_NE(ehlo.find(ext), std::string::npos) << ext;
  }
  EXPECT_TRUE(ehlo.ends_with("250 SMTPUTF8\r\n"));
  auto step = session().on_line("STARTTLS");
  EXPECT_EQ(step.action, Action::start_tls);
  EXPECT_EQ(step.reply, "220 2.0.0 Ready to start TLS\r\n");
  session().tls_started();
  EXPECT_EQ(code("MAIL FROM:<a@example.com>"), "503");  // EHLO again first
  EXPECT_EQ(say("EHLO client.example").find("STARTTLS"), std::string::npos);
}

TEST_F(RelaySessionTest, NoStartTlsWithoutCertificate) {
  say("EHLO c");
  EXPECT_EQ(code("STARTTLS"), "454");
}

TEST_F(RelaySessionTest, AuthPlainAndLogin) {
  settings_.user = "relay";
  settings_.password = "secret";
  say("EHLO c");
  EXPECT_EQ(say("MAIL FROM:<a@example.com>"), "530 5.7.0 Authentication required\r\n");
  EXPECT_EQ(say("AUTH PLAIN " + base64_encode(std::string("\0relay\0wrong", 12))),
            "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(code("AUTH LOGIN"), "334");
  EXPECT_EQ(code(base64_encode("relay")), "334");
  EXPECT_EQ(say(base64_encode("secret")), "235 2.7.0 Authentication successful\r\n");
  EXPECT_EQ(code("MAIL FROM:<a@example.com>"), "250");
}

TEST_F(RelaySessionTest, AuthFailFaultRefusesGoodCredentials) {
  settings_.user = "relay";
  settings_.password = "secret";
  FaultSpec spec;
  spec.auth_fail = true;
  faults_.set(spec);
  say("EHLO c");
  EXPECT_EQ(code("AUTH PLAIN " + base64_encode(std::string("\0relay\0secret", 13))), "535");
}

TEST_F(RelaySessionTest, SequenceAndRejectedRecipients) {
  FaultSpec spec;
  spec.reject = {"unknown*@*"};
  faults_.set(spec);
  EXPECT_EQ(code("MAIL FROM:<a@example.com>"), "503");
  say("HELO c");
  EXPECT_EQ(code("RCPT TO:<b@example.org>"), "503");
  EXPECT_EQ(code("MAIL FROM:<a@example.com> SIZE=99999999999"), "552");
  EXPECT_EQ(code("MAIL FROM:<a@example.com>"), "250");
  EXPECT_EQ(code("DATA"), "554");
  EXPECT_EQ(say("RCPT TO:<unknown1@example.org>"),
            "550 5.1.1 <unknown1@example.org>: Recipient address rejected: User unknown in virtual "
            "mailbox table\r\n");
  EXPECT_EQ(code("RCPT TO:<b@example.org>"), "250");
  EXPECT_EQ(code("RSET"), "250");
  EXPECT_EQ(code("DATA"), "503");
  EXPECT_EQ(code("NOOP"), "250");
  EXPECT_EQ(code("FOO"), "500");
  auto quit = session().on_line("QUIT");
  EXPECT_EQ(quit.action, Action::close);
}

TEST_F(RelaySessionTest, DeferredRecipientsAreLeftOutOfTheTransaction) {
  FaultSpec spec;
  spec.defer = {"grey*@*"};
  faults_.set(spec);
  say("EHLO c");
  EXPECT_EQ(code("MAIL FROM:<a@example.com>"), "250");
  EXPECT_EQ(
      say("RCPT TO:<grey1@example.org>"),
      "450 4.2.0 <grey1@example.org>: Recipient address rejected: Greylisted, try again later\r\n");
  EXPECT_EQ(code("DATA"), "554");  // nobody accepted yet
  EXPECT_EQ(code("RCPT TO:<b@example.org>"), "250");
  EXPECT_EQ(code("DATA"), "354");
}

TEST_F(RelaySessionTest, DataIsUnstuffedAndEnvelopeKept) {
  say("EHLO client.example");
  say("MAIL FROM:<a@example.com>");
  say("RCPT TO:<b@example.org>");
  say("RCPT TO:<c@example.org>");
  auto step = session().on_line("DATA");
  ASSERT_EQ(step.action, Action::read_data);
  EXPECT_EQ(step.reply.substr(0, 3), "354");
  std::string wire = "Subject: x\r\n\r\n..leading dot\r\nline\r\n.\r\nQUIT\r\n";
  // Split at an awkward byte to check the reader keeps its state.
  auto first = session().feed_data(std::string_view(wire).substr(0, 17));
  EXPECT_FALSE(first.done);
  auto rest = session().feed_data(std::string_view(wire).substr(first.consumed));
  ASSERT_TRUE(rest.done);
  EXPECT_EQ(std::string_view(wire).substr(first.consumed + rest.consumed), "QUIT\r\n");
  auto finished = session().finish_data();
  auto* message = std::get_if<RelaySession::Message>(&finished);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->content, "Subject: x\r\n\r\n.leading dot\r\nline\r\n");
  EXPECT_EQ(message->envelope.mail_from, "a@example.com");
  EXPECT_EQ(message->envelope.rcpt_to,
            (std::vector<std::string>{"b@example.org", "c@example.org"}));
  EXPECT_EQ(message->envelope.helo, "client.example");
  EXPECT_EQ(code("RCPT TO:<b@example.org>"), "503");  // the transaction is over
}

TEST_F(RelaySessionTest, DataWithBareLineFeedIsRefused) {
  say("EHLO c");
  say("MAIL FROM:<a@example.com>");
  say("RCPT TO:<b@example.org>");
  session().on_line("DATA");
  auto progress = session().feed_data("bad\nline\r\n.\r\n");
  ASSERT_TRUE(progress.done);
  auto finished = session().finish_data();
  auto* refused = std::get_if<RelaySession::Step>(&finished);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reply.substr(0, 3), "554");
}

TEST_F(RelaySessionTest, Replies) {
  EXPECT_EQ(RelaySession::queued_reply("ABC123"), "250 2.0.0 Ok: queued as ABC123\r\n");
  EXPECT_EQ(RelaySession::fault_reply(0), "451 4.3.0 Error: queue file write error\r\n");
  EXPECT_EQ(RelaySession::fault_reply(421).substr(0, 10), "421 4.3.2 ");
  EXPECT_EQ(RelaySession::fault_reply(554), "554 5.3.0 Transaction failed\r\n");
  EXPECT_EQ(session().on_bad_line(LineEvent::Kind::bare_newline).action, Action::close);
}

}  // namespace
}  // namespace postern::sim
