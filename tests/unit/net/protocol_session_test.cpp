// net::ProtocolSession, the driver POP3 and IMAP share, over real sockets
// with a toy line protocol: the greeting, input and output in turn, the
// refusal past the connection limit, the idle deadline, the server's stop
// delivered at the next read, and the wait after a failed login, which
// holds up no other session.
// GCC 12 reports asio's coroutine frames as mismatched new/delete once
// inlined (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "net/protocol_session.h"

#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "net/io_runtime.h"
#include "raw_client.h"

namespace postern::net {
namespace {

using namespace std::chrono_literals;
using test::RawClient;

// One line in, one line out: "bad" is a failed login (answered "no" after
// the delay), "quit" closes; anything else is echoed.
class LineSession final : public ProtocolSession {
 public:
  LineSession(boost::asio::ip::tcp::socket socket, Peer peer, const Settings& settings,
              Duration idle)
      : ProtocolSession(std::move(socket), std::move(peer), settings), idle_(idle) {}

 private:
  void on_refused(ConnectVerdict) override { close_with("busy\r\n", "refused"); }
  void on_connected() override { out_ = "hi\r\n"; }
  Step next() override {
    if (closing_) return Step::close;
    auto end = in_.find('\n');
    if (end == std::string::npos) return Step::read;
    auto line = in_.substr(0, end);
    in_.erase(0, end + 1);
    if (line == "bad") return Step::perform;
    if (line == "quit") close_with("bye\r\n", "quit");
    if (!closing_) out_ += line + "\r\n";
    return closing_ ? Step::close : Step::flush;
  }
  const std::string& output() const override { return out_; }
  void clear_output() override { out_.clear(); }
  Duration read_limit() override { return idle_; }
  void on_input(std::string_view bytes) override { in_ += bytes; }
  void on_deadline() override { close_with("idle\r\n", "idle"); }
  void on_input_closed(const std::string& failure) override { close_with("", failure); }
  void on_shutdown() override { close_with("stopping\r\n", "stop"); }
  void on_tls_done(bool, const std::string&) override {}
  boost::asio::awaitable<void> perform() override {
    co_await delay_failed_login();
    out_ += "no\r\n";
  }
  const std::string& close_reason() const override { return reason_; }
  bool routine_end(const std::string& reason) const override { return reason == "quit"; }

  void close_with(const std::string& text, std::string reason) {
    out_ += text;
    reason_ = std::move(reason);
    closing_ = true;
  }

  Duration idle_;
  std::string in_;
  std::string out_;
  std::string reason_;
  bool closing_ = false;
};

class ProtocolSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime_.start(); }
  void TearDown() override {
    listeners_.stop(table_, 1s);
    runtime_.stop();
  }
  std::uint16_t start() {
    settings_.name = "line";
    settings_.login_failure_delay = 1500ms;
    settings_.table = &table_;
    settings_.metrics = &metrics_;
    auto port =
        listeners_.open("127.0.0.1:0", "", [this](boost::asio::ip::tcp::socket socket, Peer peer) {
          ProtocolSession::spawn(
              std::make_shared<LineSession>(std::move(socket), std::move(peer), settings_, idle_));
        });
    EXPECT_TRUE(port);
    return port ? *port : 0;
  }

  MetricsRegistry registry_;
  SessionMetrics metrics_{registry_, "line", "Line"};
  SessionTable table_{10, 2};
  IoRuntime runtime_{2};
  ServerListeners listeners_{runtime_, "line"};
  ProtocolSession::Settings settings_;
  ProtocolSession::Duration idle_ = 30s;  // the read deadline
};

TEST_F(ProtocolSessionTest, GreetsAnswersAndCloses) {
  RawClient c(start());
  EXPECT_EQ(c.read_until("\r\n"), "hi\r\n");
  c.send("one\ntwo\n");
  EXPECT_EQ(c.read_until("two\r\n"), "one\r\ntwo\r\n");
  c.send("quit\n");
  EXPECT_EQ(c.read_until("bye\r\n"), "bye\r\n");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(metrics_.sessions_total.value(), 1u);
}

TEST_F(ProtocolSessionTest, RefusesPastTheLimitPerAddress) {
  auto port = start();
  RawClient a(port);
  RawClient b(port);
  EXPECT_EQ(a.read_until("\r\n"), "hi\r\n");
  EXPECT_EQ(b.read_until("\r\n"), "hi\r\n");
  RawClient c(port);
  EXPECT_EQ(c.read_until("\r\n"), "busy\r\n");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(metrics_.connections_refused.value(), 1u);
}

TEST_F(ProtocolSessionTest, ClosesAnIdleSession) {
  idle_ = 1s;
  RawClient c(start());
  c.read_until("\r\n");
  EXPECT_EQ(c.read_until("idle\r\n"), "idle\r\n");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ProtocolSessionTest, TheServersStopReachesASessionWaitingToRead) {
  RawClient c(start());
  c.read_until("\r\n");
  listeners_.stop(table_, 5s);
  EXPECT_EQ(c.read_until("stopping\r\n"), "stopping\r\n");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(ProtocolSessionTest, AFailedLoginWaitsWithoutHoldingOthers) {
  auto port = start();
  RawClient guesser(port);
  RawClient other(port);
  guesser.read_until("\r\n");
  other.read_until("\r\n");
  auto sent = std::chrono::steady_clock::now();
  guesser.send("bad\n");
  other.send("ping\n");
  EXPECT_EQ(other.read_until("\r\n"), "ping\r\n");
  auto other_answered = std::chrono::steady_clock::now() - sent;
  EXPECT_EQ(guesser.read_until("\r\n"), "no\r\n");
  auto failed_after = std::chrono::steady_clock::now() - sent;
  EXPECT_GE(failed_after, settings_.login_failure_delay);
  EXPECT_LT(other_answered, failed_after);
}

}  // namespace
}  // namespace postern::net
