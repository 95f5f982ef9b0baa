// The POP3 session FSM, byte for byte: every command in every state,
// multi-line responses, byte-stuffing, TOP, DELE/RSET/QUIT and the limits.
#include <gtest/gtest.h>

#include "fsm_harness.h"

namespace postern::pop3 {
namespace {

using test::Action;
using test::FsmHarness;

constexpr std::string_view kGreeting = "+OK Postern POP3 server ready\r\n";

class SessionFsmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.messages = {
        {"7.1", "Subject: one\r\n\r\nhello\r\n"},
        {"7.2", "Subject: two\nX: y\n\n.dotted\nline 2\n..two dots\nline 4\n"},
        {"7.3", "Subject: three\r\n\r\nbody\r\n"},
    };
  }
  std::string logged_in() {
    EXPECT_EQ(h.connect(), kGreeting);
    return h.log_in();
  }
  FsmHarness h;
};

TEST_F(SessionFsmTest, GreetsAndRefusesOverTheLimits) {
  EXPECT_EQ(h.connect(), kGreeting);
  EXPECT_EQ(h.last_action, Action::read);
  EXPECT_EQ(h.connect(ConnectVerdict::too_many_connections),
            "-ERR [SYS/TEMP] too many connections, try again later\r\n");
  EXPECT_TRUE(h.closed());
  EXPECT_EQ(h.connect(ConnectVerdict::shutting_down), "-ERR [SYS/TEMP] server shutting down\r\n");
  EXPECT_TRUE(h.closed());
}

TEST_F(SessionFsmTest, UserPassLogsIn) {
  EXPECT_EQ(logged_in(), "+OK send PASS\r\n+OK logged in, 3 messages (99 octets)\r\n");
  EXPECT_EQ(h.logins, std::vector<std::string>{"alice:secret"});
  EXPECT_TRUE(h.fsm->logged_in());
  EXPECT_EQ(h.fsm->idle_timeout(), h.policy.idle_timeout);
}

TEST_F(SessionFsmTest, PassKeepsSpacesOfThePassword) {
  h.connect();
  h.send("USER bob");
  EXPECT_EQ(h.send("PASS  two words "), "-ERR [AUTH] invalid user name or password\r\n");
  EXPECT_EQ(h.logins, std::vector<std::string>{"bob: two words "});
}

TEST_F(SessionFsmTest, CommandsBeforeLogin) {
  h.connect();
  EXPECT_EQ(h.fsm->idle_timeout(), h.policy.idle_timeout_before_login);
  EXPECT_EQ(h.send("PASS secret"), "-ERR send USER first\r\n");
  for (auto verb : {"STAT", "LIST", "UIDL", "RETR 1", "TOP 1 0", "DELE 1", "RSET", "NOOP"}) {
    auto name = std::string(verb).substr(0, std::string_view(verb).find(' '));
    EXPECT_EQ(h.send(verb),
              "-ERR " + name + " is not valid before login, send USER and PASS first\r\n");
  }
  EXPECT_EQ(h.send("APOP alice 0123456789abcdef"),
            "-ERR APOP is not supported, use USER and PASS\r\n");
  EXPECT_EQ(h.send("AUTH PLAIN"), "-ERR AUTH is not supported, use USER and PASS\r\n");
  EXPECT_EQ(h.send("STLS"), "-ERR STLS not available: no certificate configured\r\n");
  EXPECT_EQ(h.send("XTND XLST"), "-ERR unknown command XTND\r\n");
  EXPECT_FALSE(h.fsm->logged_in());
  EXPECT_EQ(h.send("QUIT"), "+OK Postern POP3 server signing off\r\n");
  EXPECT_TRUE(h.closed());
}

TEST_F(SessionFsmTest, CommandsAfterLoginThatBelongBefore) {
  logged_in();
  EXPECT_EQ(h.send("USER alice"), "-ERR USER is not valid after login\r\n");
  EXPECT_EQ(h.send("PASS secret"), "-ERR PASS is not valid after login\r\n");
  EXPECT_EQ(h.send("STLS"), "-ERR STLS is not valid after login\r\n");
  EXPECT_EQ(h.send("APOP a b"), "-ERR APOP is not valid after login\r\n");
  EXPECT_EQ(h.logins.size(), 1u);
}

TEST_F(SessionFsmTest, CapaBeforeAndAfterLogin) {
  h.policy.tls_available = true;
  h.connect();
  EXPECT_EQ(h.send("CAPA"),
            "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
            "PIPELINING\r\nUSER\r\nSTLS\r\nEXPIRE 7 USER\r\nIMPLEMENTATION Postern\r\n.\r\n");
  h.log_in();
  EXPECT_EQ(h.send("capa"),
            "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
            "PIPELINING\r\nEXPIRE 3\r\nIMPLEMENTATION Postern\r\n.\r\n");
}

TEST_F(SessionFsmTest, ExpireIsNeverZeroForAShortRetention) {
  h.retention = std::chrono::hours(2);
  logged_in();
  EXPECT_NE(h.send("CAPA").find("\r\nEXPIRE 1\r\n"), std::string::npos);
}

TEST_F(SessionFsmTest, StatListUidl) {
  logged_in();
  EXPECT_EQ(h.send("STAT"), "+OK 3 99\r\n");
  EXPECT_EQ(h.send("LIST"), "+OK 3 messages (99 octets)\r\n1 23\r\n2 52\r\n3 24\r\n.\r\n");
  EXPECT_EQ(h.send("LIST 2"), "+OK 2 52\r\n");
  EXPECT_EQ(h.send("UIDL"), "+OK unique-id listing follows\r\n1 7.1\r\n2 7.2\r\n3 7.3\r\n.\r\n");
  EXPECT_EQ(h.send("UIDL 3"), "+OK 3 7.3\r\n");
  EXPECT_EQ(h.send("LIST 4"), "-ERR no such message, only 3 messages in maildrop\r\n");
  EXPECT_EQ(h.send("UIDL 0"), "-ERR no such message, only 3 messages in maildrop\r\n");
  EXPECT_EQ(h.send("LIST x"), "-ERR LIST needs a message number in decimal digits\r\n");
  EXPECT_EQ(h.send("NOOP"), "+OK\r\n");
}

TEST_F(SessionFsmTest, EmptyMaildrop) {
  h.messages.clear();
  EXPECT_EQ(logged_in(), "+OK send PASS\r\n+OK logged in, 0 messages (0 octets)\r\n");
  EXPECT_EQ(h.send("STAT"), "+OK 0 0\r\n");
  EXPECT_EQ(h.send("LIST"), "+OK 0 messages (0 octets)\r\n.\r\n");
  EXPECT_EQ(h.send("UIDL"), "+OK unique-id listing follows\r\n.\r\n");
  EXPECT_EQ(h.send("RETR 1"), "-ERR no such message, only 0 messages in maildrop\r\n");
  EXPECT_EQ(h.send("QUIT"), "+OK Postern POP3 server signing off (0 messages left)\r\n");
  EXPECT_FALSE(h.committed);
}

TEST_F(SessionFsmTest, RetrSendsTheMessageByteStuffedWithCrlf) {
  logged_in();
  EXPECT_EQ(h.send("RETR 1"), "+OK 23 octets\r\nSubject: one\r\n\r\nhello\r\n.\r\n");
  // Stored with bare LF: sent with CRLF, and each line that starts with a
  // dot gets another.
  EXPECT_EQ(h.send("RETR 2"),
            "+OK 52 octets\r\nSubject: two\r\nX: y\r\n\r\n..dotted\r\nline 2\r\n"
            "...two dots\r\nline 4\r\n.\r\n");
  EXPECT_EQ(h.retrieved, (std::vector<std::size_t>{0, 1}));
}

TEST_F(SessionFsmTest, TopSendsTheHeaderAndNLines) {
  logged_in();
  EXPECT_EQ(h.send("TOP 2 0"), "+OK top of message 2 follows\r\nSubject: two\r\nX: y\r\n\r\n.\r\n");
  EXPECT_EQ(
      h.send("TOP 2 2"),
      "+OK top of message 2 follows\r\nSubject: two\r\nX: y\r\n\r\n..dotted\r\nline 2\r\n.\r\n");
  EXPECT_EQ(h.send("TOP 2 99"),
            "+OK top of message 2 follows\r\nSubject: two\r\nX: y\r\n\r\n..dotted\r\nline 2\r\n"
            "...two dots\r\nline 4\r\n.\r\n");
  EXPECT_EQ(h.send("TOP 2"), "-ERR TOP takes a message number and a line count\r\n");
  EXPECT_EQ(h.send("TOP 9 1"), "-ERR no such message, only 3 messages in maildrop\r\n");
}

TEST_F(SessionFsmTest, DeleHidesTheMessageAndRsetBringsItBack) {
  logged_in();
  EXPECT_EQ(h.send("DELE 2"), "+OK message 2 deleted\r\n");
  EXPECT_EQ(h.send("DELE 2"), "-ERR message 2 already deleted\r\n");
  EXPECT_EQ(h.send("RETR 2"), "-ERR message 2 already deleted\r\n");
  EXPECT_EQ(h.send("TOP 2 0"), "-ERR message 2 already deleted\r\n");
  EXPECT_EQ(h.send("LIST 2"), "-ERR message 2 already deleted\r\n");
  EXPECT_EQ(h.send("UIDL 2"), "-ERR message 2 already deleted\r\n");
  EXPECT_EQ(h.send("STAT"), "+OK 2 47\r\n");
  // Numbers stay as they were at login.
  EXPECT_EQ(h.send("LIST"), "+OK 2 messages (47 octets)\r\n1 23\r\n3 24\r\n.\r\n");
  EXPECT_EQ(h.send("UIDL"), "+OK unique-id listing follows\r\n1 7.1\r\n3 7.3\r\n.\r\n");
  EXPECT_EQ(h.send("RSET"), "+OK maildrop has 3 messages (99 octets)\r\n");
  EXPECT_EQ(h.send("LIST 2"), "+OK 2 52\r\n");
  EXPECT_EQ(h.send("QUIT"), "+OK Postern POP3 server signing off (3 messages left)\r\n");
  EXPECT_FALSE(h.committed) << "nothing to remove after RSET";
}

TEST_F(SessionFsmTest, QuitCommitsTheDeletions) {
  logged_in();
  h.send("DELE 3");
  h.send("DELE 1");
  EXPECT_EQ(h.send("QUIT"), "+OK Postern POP3 server signing off (2 messages deleted, 1 left)\r\n");
  EXPECT_EQ(h.committed, (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(h.closed());
  EXPECT_EQ(h.fsm->close_reason(), "client sent QUIT");
}

TEST_F(SessionFsmTest, AFailedCommitIsReported) {
  logged_in();
  h.send("DELE 1");
  h.commit_result = error_code(Errc::storage_unavailable);
  EXPECT_EQ(h.send("QUIT"), "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
  EXPECT_TRUE(h.closed());
}

TEST_F(SessionFsmTest, ASessionThatEndsWithoutQuitRemovesNothing) {
  logged_in();
  h.send("DELE 1");
  h.fsm->on_input_closed("client closed the connection");
  EXPECT_EQ(h.run(), "");
  EXPECT_TRUE(h.closed());
  EXPECT_FALSE(h.committed);

  logged_in();
  h.send("DELE 1");
  h.fsm->on_idle_timeout();
  // RFC 1939 §3: the autologout closes without a response.
  EXPECT_EQ(h.run(), "");
  EXPECT_TRUE(h.closed());
  EXPECT_EQ(h.fsm->close_reason(), "autologout: idle timeout");
  EXPECT_FALSE(h.committed);
}

TEST_F(SessionFsmTest, LoginFailuresAndResponseCodes) {
  h.policy.max_login_failures = 2;
  h.connect();
  h.send("USER alice");
  EXPECT_EQ(h.send("PASS wrong"), "-ERR [AUTH] invalid user name or password\r\n");
  // A failed PASS forgets the user: the client starts again with USER.
  EXPECT_EQ(h.send("PASS secret"), "-ERR send USER first\r\n");
  h.send("USER alice");
  EXPECT_EQ(h.send("PASS wrong again"),
            "-ERR [AUTH] invalid user name or password; too many failures, closing\r\n");
  EXPECT_TRUE(h.closed());
  EXPECT_EQ(h.fsm->close_reason(), "too many failed logins");

  h.connect();
  h.login_error = LoginError::in_use;
  EXPECT_EQ(h.log_in(),
            "+OK send PASS\r\n-ERR [IN-USE] maildrop already locked by another session\r\n");
  h.login_error = LoginError::unavailable;
  EXPECT_EQ(h.log_in(),
            "+OK send PASS\r\n-ERR [SYS/TEMP] maildrop unavailable, try again later\r\n");
  EXPECT_FALSE(h.fsm->logged_in());
  h.login_error.reset();
  EXPECT_EQ(h.log_in(), "+OK send PASS\r\n+OK logged in, 3 messages (99 octets)\r\n");
}

TEST_F(SessionFsmTest, RetrieveErrors) {
  logged_in();
  h.retrieve_error = error_code(Errc::corrupt);
  EXPECT_EQ(h.send("RETR 1"), "-ERR [SYS/PERM] message 1 is damaged\r\n");
  h.retrieve_error = error_code(Errc::not_found);
  EXPECT_EQ(h.send("RETR 1"), "-ERR [SYS/PERM] message 1 was removed by another client\r\n");
  h.retrieve_error = error_code(Errc::storage_unavailable);
  EXPECT_EQ(h.send("TOP 1 0"), "-ERR [SYS/TEMP] cannot read message 1, try again later\r\n");
  h.retrieve_error.reset();
  EXPECT_EQ(h.send("RETR 1"), "+OK 23 octets\r\nSubject: one\r\n\r\nhello\r\n.\r\n");
}

TEST_F(SessionFsmTest, StlsStartsTlsAndForgetsTheUser) {
  h.policy.tls_available = true;
  h.connect();
  h.send("USER alice");
  // What was pipelined after STLS came in clear text: dropped.
  EXPECT_EQ(h.feed("STLS\r\nPASS secret\r\n"), "+OK begin TLS negotiation\r\n");
  EXPECT_TRUE(h.fsm->tls_active());
  EXPECT_TRUE(h.logins.empty());
  EXPECT_EQ(h.send("PASS secret"), "-ERR send USER first\r\n");
  EXPECT_EQ(h.send("STLS"), "-ERR TLS already active\r\n");
  EXPECT_EQ(h.send("CAPA").find("STLS"), std::string::npos);
  EXPECT_EQ(h.log_in(), "+OK send PASS\r\n+OK logged in, 3 messages (99 octets)\r\n");

  h.tls_ok = false;
  h.connect();
  EXPECT_EQ(h.send("STLS"), "+OK begin TLS negotiation\r\n");
  EXPECT_TRUE(h.closed());
}

TEST_F(SessionFsmTest, OverlongLinesAndBadSyntax) {
  h.connect();
  EXPECT_EQ(h.send(std::string(253, 'A')), "-ERR unknown command AAAAAAAAAAAAAAAA\r\n");
  EXPECT_EQ(h.send(std::string(254, 'A')),
            "-ERR command line too long (RFC 2449: at most 255 octets)\r\n");
  // Split anywhere, the long line is still one error, and the next command works.
  std::string long_line = "USER " + std::string(5000, 'x') + "\r\nUSER a\r\n";
  std::string out;
  for (std::size_t i = 0; i < long_line.size(); i += 7) out += h.feed(long_line.substr(i, 7));
  EXPECT_EQ(out, "-ERR command line too long (RFC 2449: at most 255 octets)\r\n+OK send PASS\r\n");
  EXPECT_EQ(h.send(""), "-ERR empty command\r\n");
  EXPECT_EQ(h.send("USER"), "-ERR USER takes one argument: the user name\r\n");
  EXPECT_EQ(h.send("QUIT now"), "-ERR QUIT takes no argument\r\n");
  EXPECT_EQ(h.feed(std::string("US\0R a\r\n", 8)), "-ERR invalid character in command\r\n");
  // A bare LF ends a line too.
  EXPECT_EQ(h.feed("user a\n"), "+OK send PASS\r\n");
}

TEST_F(SessionFsmTest, TooManyErrorsClose) {
  h.policy.max_errors = 3;
  h.connect();
  EXPECT_EQ(h.feed("A\r\nB\r\nC\r\nUSER a\r\n"),
            "-ERR unknown command A\r\n-ERR unknown command B\r\n-ERR unknown command C\r\n"
            "-ERR too many errors, closing\r\n");
  EXPECT_TRUE(h.closed());
}

TEST_F(SessionFsmTest, PipelinedCommandsAreAnsweredInOrder) {
  h.connect();
  EXPECT_EQ(h.feed("USER alice\r\nPASS secret\r\nSTAT\r\nDELE 1\r\nLIST 1\r\nQUIT\r\n"),
            "+OK send PASS\r\n+OK logged in, 3 messages (99 octets)\r\n+OK 3 99\r\n"
            "+OK message 1 deleted\r\n-ERR message 1 already deleted\r\n"
            "+OK Postern POP3 server signing off (1 messages deleted, 2 left)\r\n");
  EXPECT_EQ(h.committed, std::vector<std::size_t>{0});
}

TEST_F(SessionFsmTest, ShutdownEndsAtTheNextCommandWithoutUpdate) {
  logged_in();
  h.send("DELE 1");
  h.fsm->on_shutdown();
  EXPECT_EQ(h.run(), "-ERR [SYS/TEMP] server shutting down\r\n");
  EXPECT_TRUE(h.closed());
  EXPECT_FALSE(h.committed);
}

TEST_F(SessionFsmTest, ResultsNobodyAskedForChangeNothing) {
  h.connect();
  h.fsm->on_login_result(MaildropView{});
  h.fsm->on_retrieved(std::string("x"));
  h.fsm->on_committed({});
  h.fsm->on_tls_done(true, "x");
  EXPECT_EQ(h.run(), "");
  EXPECT_FALSE(h.fsm->logged_in());
  EXPECT_FALSE(h.fsm->tls_active());
  EXPECT_EQ(h.last_action, Action::read);
}

TEST_F(SessionFsmTest, LargeOutputIsFlushedInPieces) {
  h.messages = {{"1.1", std::string(200 * 1024, 'a')}};
  logged_in();
  h.fsm->on_input("RETR 1\r\nNOOP\r\n");
  int flushes = 0;
  std::string out;
  for (;;) {
    auto a = h.fsm->next();
    out += h.fsm->output();
    h.fsm->clear_output();
    if (a == Action::retrieve) {
      h.answer_retrieve();
    } else if (a == Action::flush) {
      ++flushes;
    } else {
      break;
    }
  }
  EXPECT_EQ(flushes, 1);
  EXPECT_TRUE(out.ends_with("a\r\n.\r\n+OK\r\n"));
}

}  // namespace
}  // namespace postern::pop3
