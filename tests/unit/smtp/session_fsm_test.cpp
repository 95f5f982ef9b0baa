// SessionFsm step by step: transactions, command order, limits, timeouts,
// shutdown, and smuggling at the session level.
#include <gtest/gtest.h>

#include <chrono>

#include "fsm_harness.h"

namespace postern::smtp {
namespace {

using test::Action;
using test::codes;

constexpr std::string_view kMessage =
    "From: a@x.example\r\nTo: b@y.example\r\nSubject: Hi\r\n\r\nHello\r\n";

class SessionFsmTest : public ::testing::Test {
 protected:
  test::FsmHarness h;
};

TEST_F(SessionFsmTest, GreetsWithHostname) {
  EXPECT_EQ(h.connect_trusted(), "220 mx.test ESMTP Postern\r\n");
  EXPECT_EQ(h.last_action, Action::read);
}

TEST_F(SessionFsmTest, RefusedConnectionGets421AndCloses) {
  EXPECT_EQ(
      h.connect(PeerInfo{"192.0.2.1", false, false, {}}, ConnectVerdict::too_many_connections),
      "421 4.7.0 mx.test Too many connections, try again later\r\n");
  EXPECT_EQ(h.last_action, Action::close);
  h.connect(PeerInfo{"192.0.2.1", false, false, {}}, ConnectVerdict::shutting_down);
  EXPECT_EQ(h.last_action, Action::close);
}

TEST_F(SessionFsmTest, EhloListsExtensions) {
  h.policy.max_message_bytes = 1000;
  h.connect_trusted();
  auto r = h.send("EHLO client.test");
  EXPECT_EQ(r,
            "250-mx.test Hello client.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
  h.policy.tls_available = true;
  r = h.send("EHLO client.test");
  EXPECT_NE(r.find("250 STARTTLS\r\n"), std::string::npos);
  EXPECT_EQ(r.find("AUTH"), std::string::npos);  // not before TLS
  EXPECT_EQ(h.send("HELO client.test"), "250 mx.test\r\n");
}

TEST_F(SessionFsmTest, FullTransaction) {
  h.connect_trusted();
  EXPECT_EQ(codes(h.open_transaction()), "250 250 250");
  EXPECT_EQ(h.send("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(h.feed(std::string(kMessage) + "..dot\r\n.\r\n"), "");
  ASSERT_EQ(h.last_action, Action::store_message);
  auto m = h.fsm->take_message();
  EXPECT_EQ(m.format, ContentFormat::mime);
  EXPECT_EQ(m.source, "smtp");
  EXPECT_EQ(m.submitted_by, "");
  EXPECT_EQ(m.subject, "Hi");
  EXPECT_EQ(m.envelope.sender, "a@x.example");
  ASSERT_EQ(m.envelope.recipients.size(), 1u);
  EXPECT_EQ(m.envelope.recipients[0].address, "b@y.example");
  EXPECT_EQ(m.envelope.recipients[0].kind, RecipientKind::to);
  EXPECT_TRUE(m.content.starts_with(
      "Received: from client.test ([127.0.0.1])\r\n\tby mx.test (Postern) with ESMTP"));
  EXPECT_TRUE(m.content.ends_with(std::string(kMessage) + ".dot\r\n"));
  // The bracketed tail is what Nodemailer's getTestMessageUrl() reads.
  auto id = MessageId(42).to_string();
  EXPECT_EQ(h.store_ok(42), "250 2.0.0 Ok: queued as " + id + " [STATUS=new MSGID=" + id + "]\r\n");
  EXPECT_EQ(h.last_action, Action::read);
  // The transaction is over: a new one needs MAIL again.
  EXPECT_EQ(codes(h.send("RCPT TO:<c@y.example>")), "503");
  EXPECT_EQ(h.send("QUIT"), "221 2.0.0 mx.test Bye\r\n");
  EXPECT_EQ(h.last_action, Action::close);
  EXPECT_EQ(h.fsm->close_reason(), "client sent QUIT");
}

TEST_F(SessionFsmTest, StoreErrorsMapToTemporaryCodes) {
  struct Case {
    Errc error;
    std::string reply;
  };
  for (const auto& c :
       {Case{Errc::storage_full, "452 4.3.1"}, Case{Errc::overloaded, "451 4.3.0"},
        Case{Errc::storage_unavailable, "451 4.3.0"}, Case{Errc::shutting_down, "451 4.3.0"},
        Case{Errc::internal, "451 4.3.0"}}) {
    h.connect_trusted();
    h.open_transaction();
    h.send("DATA");
    h.feed(std::string(kMessage) + ".\r\n");
    ASSERT_EQ(h.last_action, Action::store_message);
    EXPECT_TRUE(h.complete_store(error_code(c.error)).starts_with(c.reply)) << c.reply;
  }
}

TEST_F(SessionFsmTest, CommandsOutOfOrder) {
  h.connect_trusted();
  EXPECT_EQ(h.send("MAIL FROM:<a@x.example>"), "503 5.5.1 Send EHLO or HELO first\r\n");
  h.send("EHLO client.test");
  EXPECT_EQ(h.send("RCPT TO:<b@y.example>"), "503 5.5.1 Send MAIL first\r\n");
  EXPECT_EQ(h.send("DATA"), "503 5.5.1 Send MAIL first\r\n");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example>")), "250");
  EXPECT_EQ(h.send("MAIL FROM:<a@x.example>"), "503 5.5.1 Nested MAIL command\r\n");
  EXPECT_EQ(h.send("DATA"), "554 5.5.1 No valid recipients\r\n");
  EXPECT_EQ(codes(h.send("RSET")), "250");
  EXPECT_EQ(codes(h.send("RCPT TO:<b@y.example>")), "503");
}

TEST_F(SessionFsmTest, PipelinedCommandsAreAnsweredInOrderInOneBatch) {
  h.connect_trusted();
  auto r = h.feed(
      "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<bad>\r\nDATA\r\n");
  EXPECT_EQ(codes(r), "250 250 250 501 354");
  r = h.feed(std::string(kMessage) + ".\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<c@y.example>\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  EXPECT_EQ(r, "");  // nothing past the message is read before the store answers
  h.fsm->take_message();
  EXPECT_EQ(codes(h.store_ok()), "250 250 250");
}

TEST_F(SessionFsmTest, RecipientLimitAndDuplicates) {
  h.policy.max_recipients = 2;
  h.connect_trusted();
  h.send("EHLO c");
  h.send("MAIL FROM:<a@x.example>");
  EXPECT_EQ(codes(h.send("RCPT TO:<b@y.example>")), "250");
  EXPECT_EQ(codes(h.send("RCPT TO:<b@Y.EXAMPLE>")), "250");  // the same mailbox: kept once
  EXPECT_EQ(codes(h.send("RCPT TO:<c@y.example>")), "250");
  EXPECT_EQ(h.send("RCPT TO:<d@y.example>"), "452 4.5.3 Too many recipients\r\n");
  h.send("DATA");
  h.feed("From: a@x.example\r\nCc: c@y.example\r\n\r\nx\r\n.\r\n");
  auto m = h.fsm->take_message();
  ASSERT_EQ(m.envelope.recipients.size(), 2u);
  // The envelope decides who gets it; the headers only tell the kind.
  EXPECT_EQ(m.envelope.recipients[0].kind, RecipientKind::bcc);
  EXPECT_EQ(m.envelope.recipients[1].kind, RecipientKind::cc);
}

// Regression: each RCPT used to normalize every recipient already accepted,
// and neither a duplicate (250) nor a refusal past the limit (452) counts
// towards any session limit, so a client could repeat RCPT without end at
// ~0.1 ms of I/O-thread CPU per 30-octet line with 1000 recipients (release
// build; O(n) per line, O(n^2) per transaction). Now a hash set: the 41,000
// lines below take milliseconds; the old code took seconds (tens under ASan).
TEST_F(SessionFsmTest, RepeatedRecipientsCostConstantTimeEach) {
  h.policy.max_recipients = 1000;
  h.connect_trusted();
  h.send("EHLO c");
  h.send("MAIL FROM:<a@x.example>");
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += "RCPT TO:<user" + std::to_string(i) + "@y.example>\r\n";
  for (int i = 0; i < 20000; ++i)
    batch += "RCPT TO:<user999@Y.EXAMPLE>\r\n";                             // the last one, again
  for (int i = 0; i < 20000; ++i) batch += "RCPT TO:<over@y.example>\r\n";  // past the limit
  auto start = std::chrono::steady_clock::now();
  auto replies = h.feed(batch);
  auto elapsed = std::chrono::steady_clock::now() - start;
  std::size_t ok = 0, full = 0;
  for (std::size_t pos = 0; pos < replies.size(); pos = replies.find("\r\n", pos) + 2) {
    ok += replies.compare(pos, 9, "250 2.1.5") == 0;
    full += replies.compare(pos, 9, "452 4.5.3") == 0;
  }
  EXPECT_EQ(ok, 21000u);
  EXPECT_EQ(full, 20000u);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 2000);
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\nx\r\n.\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  auto m = h.fsm->take_message();
  ASSERT_EQ(m.envelope.recipients.size(), 1000u);
  EXPECT_EQ(m.envelope.recipients[999].address, "user999@y.example");
}

TEST_F(SessionFsmTest, SizeLimits) {
  h.policy.max_message_bytes = 100;
  h.connect_trusted();
  h.send("EHLO c");
  EXPECT_EQ(h.send("MAIL FROM:<a@x.example> SIZE=101"),
            "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example> SIZE=100")), "250");
  h.send("RCPT TO:<b@y.example>");
  h.send("DATA");
  EXPECT_EQ(h.feed("From: a@x.example\r\n\r\n" + std::string(200, 'x') + "\r\n.\r\n"),
            "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(h.last_action, Action::read);
  EXPECT_EQ(h.metrics.messages_refused.value(), 1u);
  EXPECT_EQ(codes(h.send("NOOP")), "250");
}

TEST_F(SessionFsmTest, LongDataLineRefused) {
  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  EXPECT_EQ(codes(h.feed("From: a@x.example\r\n\r\n" + std::string(999, 'x') + "\r\n.\r\n")),
            "554");
}

TEST_F(SessionFsmTest, UnparseableHeaderRefused) {
  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  EXPECT_EQ(h.feed("this is not a header\r\n.\r\n"),
            "554 5.6.0 Message header cannot be parsed\r\n");
  // A header with a bad field still goes: the envelope is what counts.
  h.open_transaction();
  h.send("DATA");
  h.feed("Subject: no from\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(h.last_action, Action::store_message);
}

// At the session level: a smuggled second message never becomes a second
// transaction, whatever the read boundaries.
TEST_F(SessionFsmTest, SmugglingNeverSplitsAMessage) {
  for (std::string fake : {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n"}) {
    std::string input =
        "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n"
        "From: a@x.example\r\n\r\nhi" +
        fake +
        "MAIL FROM:<boss@x.example>\r\nRCPT TO:<victim@y.example>\r\nDATA\r\n"
        "From: boss@x.example\r\n\r\npay\r\n.\r\nQUIT\r\n";
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
      SCOPED_TRACE(testing::PrintToString(fake) + " cut at " + std::to_string(cut));
      h.connect_trusted();
      std::string replies = h.feed(input.substr(0, cut));
      ASSERT_NE(h.last_action, Action::store_message);
      replies += h.feed(input.substr(cut));
      ASSERT_NE(h.last_action, Action::store_message);
      EXPECT_EQ(codes(replies), "250 250 250 354 554 221");
      EXPECT_NE(replies.find("554 5.6.11 "), std::string::npos);
    }
  }
}

TEST_F(SessionFsmTest, CommandLineLimits) {
  h.connect_trusted();
  h.send("EHLO c");
  EXPECT_EQ(h.send("NOOP " + std::string(510, 'x')), "500 5.5.2 Line too long\r\n");
  EXPECT_EQ(codes(h.send("NOOP " + std::string(505, 'x'))), "250");  // 512 with CRLF
  EXPECT_EQ(codes(h.feed("NOOP\nNOOP\r\n")), "500 250");
  // AUTH lines may be longer (RFC 4954 §4); here it fails for lack of TLS.
  EXPECT_EQ(codes(h.send("AUTH PLAIN " + std::string(4000, 'A'))), "538");
}

TEST_F(SessionFsmTest, TooManyErrorsDisconnect) {
  h.policy.max_errors = 3;
  h.connect_trusted();
  EXPECT_EQ(codes(h.feed("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n")), "500 500 500 421");
  EXPECT_EQ(h.last_action, Action::close);
  EXPECT_EQ(h.fsm->close_reason(), "too many errors");
}

TEST_F(SessionFsmTest, TooManyJunkCommandsDisconnect) {
  h.policy.max_junk_commands = 3;
  h.connect_trusted();
  EXPECT_EQ(codes(h.feed("NOOP\r\nRSET\r\nVRFY x\r\nHELP\r\n")), "250 250 252 421");
  EXPECT_EQ(h.last_action, Action::close);
}

TEST_F(SessionFsmTest, AcceptedMessageResetsJunkCount) {
  h.policy.max_junk_commands = 3;
  h.connect_trusted();
  h.open_transaction();  // EHLO is 1
  h.send("DATA");
  h.feed(std::string(kMessage) + ".\r\n");
  h.fsm->take_message();
  h.store_ok();
  EXPECT_EQ(codes(h.feed("RSET\r\nRSET\r\nRSET\r\n")), "250 250 250");
}

TEST_F(SessionFsmTest, TimeoutsReplyAndClose) {
  h.connect_trusted();
  h.fsm->on_timeout(Timeout::idle);
  EXPECT_EQ(h.run(), Action::close);
  EXPECT_EQ(h.take(), "421 4.4.2 mx.test Idle timeout, closing connection\r\n");
  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\npartial");
  h.fsm->on_timeout(Timeout::session);
  EXPECT_EQ(h.run(), Action::close);
  EXPECT_TRUE(h.take().starts_with("421 4.4.2 "));
  EXPECT_NE(h.fsm->close_reason().find("message dropped"), std::string::npos);
}

TEST_F(SessionFsmTest, DisconnectMidDataStoresNothing) {
  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\nhalf a mess");
  h.fsm->on_input_closed("client closed the connection");
  EXPECT_EQ(h.run(), Action::close);
  EXPECT_EQ(h.take(), "");
  EXPECT_EQ(h.fsm->close_reason(),
            "client closed the connection while receiving message data; message dropped");
}

TEST_F(SessionFsmTest, ShutdownWaitsForTheMessageInProgress) {
  h.connect_trusted();
  h.fsm->on_shutdown();
  EXPECT_EQ(h.run(), Action::close);
  EXPECT_EQ(h.take(), "421 4.3.2 mx.test Service shutting down, closing connection\r\n");

  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\nstill ");
  h.fsm->on_shutdown();
  EXPECT_EQ(h.run(), Action::read);
  h.feed("coming\r\n.\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  h.fsm->take_message();
  EXPECT_EQ(codes(h.store_ok()), "250 421");
  EXPECT_EQ(h.last_action, Action::close);
}

TEST_F(SessionFsmTest, Smtputf8And8bitmime) {
  h.connect_trusted();
  h.send("EHLO c");
  std::string utf8 = "j\xc3\xb6rg@b\xc3\xbc\x63her.example";
  EXPECT_EQ(h.send("MAIL FROM:<" + utf8 + ">"),
            "553 5.6.7 Non-ASCII address requires the SMTPUTF8 parameter\r\n");
  EXPECT_EQ(codes(h.send("MAIL FROM:<a@x.example> BODY=8BITMIME")), "250");
  EXPECT_EQ(codes(h.send("RCPT TO:<" + utf8 + ">")), "553");
  h.send("RSET");
  EXPECT_EQ(codes(h.send("MAIL FROM:<" + utf8 + "> SMTPUTF8 BODY=8BITMIME")), "250");
  EXPECT_EQ(codes(h.send("RCPT TO:<" + utf8 + ">")), "250");
  h.send("DATA");
  h.feed("From: a@x.example\r\n\r\ncaf\xc3\xa9\r\n.\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  EXPECT_NE(h.fsm->take_message().content.find("with UTF8SMTP"), std::string::npos);
}

TEST_F(SessionFsmTest, MiscCommands) {
  h.connect_trusted();
  EXPECT_EQ(h.send("VRFY postmaster"),
            "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  EXPECT_EQ(codes(h.send("HELP")), "214");
  EXPECT_EQ(h.send("NOOP"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(h.send("XYZZY"), "500 5.5.1 Command unrecognized\r\n");
  EXPECT_EQ(h.send("STARTTLS"), "454 4.7.0 TLS not available\r\n");
}

TEST_F(SessionFsmTest, MetricsCountCommandsRepliesAndMessages) {
  h.connect_trusted();
  h.open_transaction();
  h.send("DATA");
  h.feed(std::string(kMessage) + ".\r\n");
  h.fsm->take_message();
  h.store_ok();
  auto text = h.registry.render();
  EXPECT_NE(text.find("postern_smtp_commands_total{command=\"MAIL\"} 1"), std::string::npos);
  EXPECT_NE(text.find("postern_smtp_replies_total{class=\"2xx\"} 5"), std::string::npos);
  EXPECT_NE(text.find("postern_smtp_replies_total{class=\"3xx\"} 1"), std::string::npos);
  EXPECT_EQ(h.metrics.messages_accepted.value(), 1u);
}

}  // namespace
}  // namespace postern::smtp
