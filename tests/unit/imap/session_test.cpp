// The IMAP session's any-state and not-authenticated commands, byte for
// byte: greeting, CAPABILITY, NOOP, LOGOUT, LOGIN, AUTHENTICATE PLAIN.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "session_harness.h"

namespace postern::imap::test {
namespace {

using namespace std::string_literals;

TEST_F(SessionTest, GreetsWithCapabilitiesAndAnswersCapability) {
  auto c = connect();
  EXPECT_EQ(c->greeting(),
            "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE "
            "MOVE ESEARCH AUTH=PLAIN] Postern IMAP "
            "ready.\r\n");
  EXPECT_EQ(c->send("a1 CAPABILITY\r\n"),
            "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE "
            "MOVE ESEARCH AUTH=PLAIN\r\n"
            "a1 OK Capability completed.\r\n");
  EXPECT_EQ(c->send("a2 NOOP\r\n"), "a2 OK NOOP completed.\r\n");
}

TEST_F(SessionTest, LogsInAndNoLongerOffersAuthentication) {
  auto c = connect();
  EXPECT_EQ(c->send("a LOGIN ann secret\r\n"), "a OK Logged in.\r\n");
  EXPECT_EQ(c->send("b CAPABILITY\r\n"),
            "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE "
            "MOVE ESEARCH\r\nb OK Capability completed.\r\n");
  EXPECT_EQ(c->send("c LOGIN ann secret\r\n"), "c BAD LOGIN not valid in this state\r\n");
}

TEST_F(SessionTest, RefusesAWrongPasswordOrUser) {
  auto c = connect();
  EXPECT_EQ(c->send("a LOGIN ann wrong\r\n"),
            "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(c->send("b LOGIN bob secret\r\n"),
            "b NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(c->send("c SELECT INBOX\r\n"), "c BAD SELECT not valid in this state\r\n");
}

TEST_F(SessionTest, RefusesPlaintextLoginFromAnotherHost) {
  auto c = connect({"192.0.2.7", false, false});
  EXPECT_EQ(c->greeting(),
            "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE "
            "MOVE ESEARCH LOGINDISABLED] Postern IMAP "
            "ready.\r\n");
  EXPECT_EQ(c->send("a LOGIN ann secret\r\n"),
            "a NO [PRIVACYREQUIRED] Plaintext login is refused here: use TLS.\r\n");
  EXPECT_EQ(c->send("b AUTHENTICATE PLAIN\r\n"),
            "b NO [PRIVACYREQUIRED] Plaintext login is refused here: use TLS.\r\n");
}

TEST_F(SessionTest, AllowsLoginOverTlsOrWhenConfigured) {
  EXPECT_EQ(connect({"192.0.2.7", false, true})->send("a LOGIN ann secret\r\n"),
            "a OK Logged in.\r\n");
  policy_.auth_without_tls = true;
  EXPECT_EQ(connect({"192.0.2.7", false, false})->send("a LOGIN ann secret\r\n"),
            "a OK Logged in.\r\n");
}

TEST_F(SessionTest, AuthenticatesWithPlainAfterAContinuation) {
  auto c = connect();
  EXPECT_EQ(c->send("a AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  EXPECT_EQ(c->send(base64_encode("\0ann\0secret"s) + "\r\n"), "a OK Logged in.\r\n");
}

TEST_F(SessionTest, AuthenticatesWithAnInitialResponse) {
  auto c = connect();
  EXPECT_EQ(c->send("a AUTHENTICATE PLAIN " + base64_encode("ann\0ann\0secret"s) + "\r\n"),
            "a OK Logged in.\r\n");
}

TEST_F(SessionTest, RefusesBadPlainExchanges) {
  auto c = connect();
  EXPECT_EQ(c->send("a AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  EXPECT_EQ(c->send("*\r\n"), "a BAD Authentication canceled.\r\n");
  EXPECT_EQ(c->send("b AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  EXPECT_EQ(c->send("!!!\r\n"), "b BAD Invalid base64 in the SASL response.\r\n");
  // Acting as another user is not allowed.
  EXPECT_EQ(c->send("c AUTHENTICATE PLAIN " + base64_encode("bob\0ann\0secret"s) + "\r\n"),
            "c BAD Invalid PLAIN response.\r\n");
  EXPECT_EQ(c->send("d AUTHENTICATE PLAIN " + base64_encode("\0ann\0nope"s) + "\r\n"),
            "d NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(c->send("e AUTHENTICATE CRAM-MD5\r\n"),
            "e NO [CANNOT] Unsupported authentication mechanism.\r\n");
}

TEST_F(SessionTest, EndsAuthenticateOnAnOverlongResponse) {
  auto c = connect();
  EXPECT_EQ(c->send("a AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  auto answer = c->send(std::string(100'000, 'A') + "\r\n");
  EXPECT_TRUE(answer.starts_with("a BAD ")) << answer;
  EXPECT_EQ(c->send("b LOGIN ann secret\r\n"), "b OK Logged in.\r\n");
}

TEST_F(SessionTest, EndsTheSessionAfterTooManyFailedLogins) {
  policy_.max_login_failures = 2;
  auto c = connect();
  EXPECT_EQ(c->send("a LOGIN ann x\r\n"), "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(
      c->send("b LOGIN ann y\r\nc LOGIN ann secret\r\n"),
      "b NO [AUTHENTICATIONFAILED] Authentication failed.\r\n* BYE Too many failed logins.\r\n");
  EXPECT_TRUE(c->closed());
}

TEST_F(SessionTest, EndsTheSessionAfterTooManyInvalidCommands) {
  policy_.max_bad_commands = 3;
  auto c = connect();
  EXPECT_EQ(c->send("a FROB\r\n\r\n"), "a BAD Unknown command\r\n* BAD Empty command line\r\n");
  EXPECT_FALSE(c->closed());
  EXPECT_EQ(c->send("b FETCH 1 FLAGS\r\n"),
            "b BAD FETCH not valid in this state\r\n* BYE Too many invalid commands.\r\n");
  EXPECT_TRUE(c->closed());
}

TEST_F(SessionTest, LogsOut) {
  auto c = connect();
  EXPECT_EQ(c->send("a LOGOUT\r\n"), "* BYE Logging out\r\na OK Logout completed.\r\n");
  EXPECT_TRUE(c->closed());
}

TEST_F(SessionTest, AnswersPipelinedCommandsInOrder) {
  auto c = connect();
  EXPECT_EQ(
      c->send("a LOGIN ann secret\r\nb NOOP\r\nc LOGOUT\r\n"),
      "a OK Logged in.\r\nb OK NOOP completed.\r\n* BYE Logging out\r\nc OK Logout completed.\r\n");
}

TEST_F(SessionTest, TakesLiteralsWithAContinuation) {
  auto c = connect();
  EXPECT_EQ(c->send("a LOGIN {3}\r\n"), "+ Ready for literal data\r\n");
  EXPECT_EQ(c->send("ann {6+}\r\nsecret\r\n"), "a OK Logged in.\r\n");
}

TEST_F(SessionTest, AnswersBadToWhatIsOutOfStateOrCannotParse) {
  auto c = connect();
  c->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(c->send("b STARTTLS\r\n"), "b BAD STARTTLS not valid in this state\r\n");
  EXPECT_EQ(c->send("b2 SEARCH ALL\r\n"), "b2 BAD SEARCH not valid in this state\r\n");
  EXPECT_EQ(c->send("d COPY 1 INBOX\r\n"), "d BAD COPY not valid in this state\r\n");
  EXPECT_EQ(c->send("e FETCH 1 FLAGS\r\n"), "e BAD FETCH not valid in this state\r\n");
  auto garbage = c->send("f FROB\r\n");
  EXPECT_TRUE(garbage.starts_with("f BAD ")) << garbage;
  auto untagged = c->send("\r\n");
  EXPECT_TRUE(untagged.starts_with("* BAD ")) << untagged;
}

TEST_F(SessionTest, OffersStartTlsAndForgetsWhatWasSentBeforeTheHandshake) {
  policy_.tls_available = true;
  auto c = connect({"192.0.2.7", false, false});
  EXPECT_EQ(c->greeting(),
            "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE "
            "MOVE ESEARCH STARTTLS LOGINDISABLED] Postern IMAP ready.\r\n");
  // A LOGIN injected in the clear behind STARTTLS is never run.
  EXPECT_EQ(c->send("a STARTTLS\r\nb LOGIN ann secret\r\n"), "a OK Begin TLS negotiation now.\r\n");
  EXPECT_EQ(c->handshakes(), 1);
  EXPECT_EQ(
      c->send("c CAPABILITY\r\n"),
      "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE MOVE "
      "ESEARCH AUTH=PLAIN\r\nc OK Capability completed.\r\n");
  EXPECT_EQ(c->send("d STARTTLS\r\n"), "d BAD TLS is already active.\r\n");
  EXPECT_EQ(c->send("e LOGIN ann secret\r\n"), "e OK Logged in.\r\n");
}

TEST_F(SessionTest, StartTlsWithoutACertificateIsUnknown) {
  auto c = connect();
  EXPECT_EQ(c->greeting().find("STARTTLS"), std::string::npos);
  EXPECT_EQ(c->send("a STARTTLS\r\n"), "a BAD Unknown command STARTTLS\r\n");
  EXPECT_EQ(c->handshakes(), 0);
}

TEST_F(SessionTest, IdlesLessBeforeLoginThenSaysByeAtTheTimeout) {
  policy_.idle_timeout_before_login = std::chrono::seconds(60);
  policy_.idle_timeout = std::chrono::minutes(30);
  auto c = connect();
  EXPECT_EQ(c->idle_limit(), std::chrono::seconds(60));
  c->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(c->idle_limit(), std::chrono::minutes(30));
  EXPECT_EQ(c->idle_timeout(), "* BYE Autologout; idle for too long.\r\n");
  EXPECT_TRUE(c->closed());
}

TEST_F(SessionTest, SaysByeWhenTheServerStops) {
  auto c = connect();
  EXPECT_EQ(c->shutdown(), "* BYE [UNAVAILABLE] Server shutting down.\r\n");
  EXPECT_TRUE(c->closed());
}

TEST_F(SessionTest, ARefusedConnectionGetsByeInsteadOfTheGreeting) {
  SessionFsm fsm(policy_, {"127.0.0.1", true, false}, inbox(), recent_, clock_);
  fsm.on_refused("[UNAVAILABLE] Too many connections; try again later.");
  EXPECT_EQ(fsm.next(), SessionFsm::Action::close);
  EXPECT_EQ(fsm.output(), "* BYE [UNAVAILABLE] Too many connections; try again later.\r\n");
}

}  // namespace
}  // namespace postern::imap::test
