#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <future>
#include <thread>

#include "raw_client.h"

namespace postern::net {
namespace {

using namespace std::chrono_literals;
using test::RawClient;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpHandler handler, HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(io_, options, std::move(handler), metrics_);
    io_.start();
    auto port = server_->start();
    ASSERT_TRUE(port);
    port_ = *port;
  }
  void TearDown() override {
    if (server_) server_->stop(1s);
    io_.stop();
  }

  IoRuntime io_{2};
  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

HttpHandler echo() {
  return [](HttpRequest&& r, Responder respond) {
    HttpResponse out;
    out.content_type = "text/plain";
    out.body = r.method + " " + r.path + " ?" + r.query + " " + std::string(r.header("X-Test")) +
               " " + r.body + (r.remote_is_loopback ? " loopback" : "");
    respond(std::move(out));
  };
}

TEST_F(HttpServerTest, AnswersManyRequestsOnOneKeepAliveConnection) {
  start(echo());
  RawClient c(port_);
  for (int i = 0; i < 20; ++i) {
    c.send("POST /a/b?x=1 HTTP/1.1\r\nHost: t\r\nX-Test: v\r\nContent-Length: 5\r\n\r\nhello");
    auto reply = c.read_until("loopback");
    EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
    EXPECT_NE(reply.find("POST /a/b ?x=1 v hello loopback"), std::string::npos) << reply;
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start(echo());
  RawClient c(port_);
  c.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto replies = c.read_until("GET /2");
  EXPECT_LT(replies.find("GET /1"), replies.find("GET /2"));
}

TEST_F(HttpServerTest, RefusesOversizedBodiesWithJson413) {
  HttpServerOptions o;
  o.max_body_bytes = 100;
  start(echo(), o);
  RawClient c(port_);
  c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
  auto reply = c.read_until("}}");
  EXPECT_NE(reply.find("HTTP/1.1 413"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"payload_too_large\""), std::string::npos) << reply;
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndAClosedConnection) {
  start(echo());
  RawClient c(port_);
  c.send("NONSENSE\r\n\r\n");
  auto reply = c.read_until("}}");
  EXPECT_NE(reply.find("HTTP/1.1 400"), std::string::npos) << reply;
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpServerTest, AnswersExpect100Continue) {
  start(echo());
  RawClient c(port_);
  c.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_NE(c.read_until("\r\n\r\n").find("100 Continue"), std::string::npos);
  c.send("abc");
  EXPECT_NE(c.read_until("abc").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(HttpServerTest, HandlersMayAnswerLaterFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mu;
  start([&](HttpRequest&&, Responder respond) {
    std::lock_guard lock(mu);
    workers.emplace_back([respond] {
      std::this_thread::sleep_for(20ms);
      HttpResponse r;
      r.status = 202;
      respond(std::move(r));
    });
  });
  RawClient c(port_);
  c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_NE(c.read_until("\r\n\r\n").find("HTTP/1.1 202"), std::string::npos);
  std::lock_guard lock(mu);
  for (auto& w : workers) w.join();
}

TEST_F(HttpServerTest, ADroppedResponderStillAnswers500) {
  start([](HttpRequest&&, Responder) {});
  RawClient c(port_);
  c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(c.read_until("}}").find("HTTP/1.1 500"), std::string::npos);
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheTimeout) {
  HttpServerOptions o;
  o.idle_timeout = 1s;
  start(echo(), o);
  // Taken before connecting: the server's idle time starts after that.
  auto t0 = std::chrono::steady_clock::now();
  RawClient c(port_);
  EXPECT_TRUE(c.closed_by_peer());
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, o.idle_timeout) << "closed before the idle timeout";
  // Generous for a loaded machine (docs/testing.md); RawClient gives up after 10 s.
  EXPECT_LT(waited, 9s);
}

// Streams three chunks, one per next() call, then ends.
class CountingStream final : public ResponseStream {
 public:
  void next(std::function<void(std::optional<std::string>)> done) override {
    if (cancelled_ || n_ == 3) return done(std::nullopt);
    done("data: " + std::to_string(n_++) + "\n\n");
  }
  void cancel() override { cancelled_ = true; }
  std::atomic<bool> cancelled_{false};

 private:
  int n_ = 0;
};

// Answers every request with `stream`.
HttpHandler streaming(std::shared_ptr<ResponseStream> stream) {
  return [stream](HttpRequest&&, Responder respond) {
    HttpResponse r;
    r.content_type = "text/event-stream";
    r.stream = stream;
    respond(std::move(r));
  };
}

TEST_F(HttpServerTest, StreamsChunksThenEnds) {
  auto stream = std::make_shared<CountingStream>();
  start(streaming(stream));
  RawClient c(port_);
  c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto all = c.read_until("0\r\n\r\n");
  EXPECT_NE(all.find("Transfer-Encoding: chunked"), std::string::npos) << all;
  EXPECT_NE(all.find("text/event-stream"), std::string::npos);
  EXPECT_LT(all.find("data: 0"), all.find("data: 2"));
  // The server releases the stream right after the last chunk.
  for (int i = 0; i < 200 && !stream->cancelled_; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(stream->cancelled_);
}

TEST_F(HttpServerTest, HeadGetsTheHeaderOfGetWithoutItsContent) {
  start([](HttpRequest&&, Responder respond) {
    HttpResponse r;
    r.content_type = "text/plain";
    r.headers.emplace_back("ETag", "\"v1\"");
    r.body = "0123456789";
    respond(std::move(r));
  });
  RawClient c(port_);
  // Pipelined on one connection: any content after HEAD's header would be
  // read as the start of GET's answer.
  c.send("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\nGET /a HTTP/1.1\r\nHost: t\r\n\r\n");
  auto replies = c.read_until("0123456789");
  auto head_end = replies.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << replies;
  auto head = replies.substr(0, head_end + 4);
  auto get = replies.substr(head_end + 4);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << replies;
  EXPECT_TRUE(get.starts_with("HTTP/1.1 200 OK\r\n")) << replies;
  EXPECT_EQ(head, get.substr(0, get.find("\r\n\r\n") + 4)) << replies;
  EXPECT_NE(head.find("Content-Length: 10\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("ETag: \"v1\"\r\n"), std::string::npos) << head;
  EXPECT_TRUE(get.ends_with("\r\n\r\n0123456789")) << replies;
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(HttpServerTest, HeadOfAStreamGetsItsHeaderAloneAndTheStreamIsReleased) {
  auto stream = std::make_shared<CountingStream>();
  start(streaming(stream));
  RawClient c(port_);
  c.send("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n");
  auto all = c.read_until("no marker: read until the server closes");
  EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_NE(all.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << all;
  EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\n")) << all;  // no chunk, not even the last
  EXPECT_EQ(all.find("data:"), std::string::npos) << all;
  EXPECT_TRUE(stream->cancelled_);
}

// Never produces a chunk until cancelled.
class SilentStream final : public ResponseStream {
 public:
  void next(std::function<void(std::optional<std::string>)> done) override {
    std::lock_guard lock(mu_);
    if (cancelled_) return done(std::nullopt);
    pending_ = std::move(done);
  }
  void cancel() override {
    std::function<void(std::optional<std::string>)> d;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      d = std::move(pending_);
    }
    if (d) d(std::nullopt);
  }

 private:
  std::mutex mu_;
  bool cancelled_ = false;
  std::function<void(std::optional<std::string>)> pending_;
};

TEST_F(HttpServerTest, StopEndsOpenStreamsAndIdleConnections) {
  start([](HttpRequest&& r, Responder respond) {
    HttpResponse out;
    if (r.path == "/stream") out.stream = std::make_shared<SilentStream>();
    respond(std::move(out));
  });
  RawClient streaming(port_), idle(port_);
  streaming.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
  streaming.read_until("\r\n\r\n");
  idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  idle.read_until("\r\n\r\n");
  auto t0 = std::chrono::steady_clock::now();
  server_->stop(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(idle.closed_by_peer());
}

TEST_F(HttpServerTest, StartFailsOnABadAddress) {
  HttpServerOptions o;
  o.listen = "no-port";
  HttpServer bad(io_, o, echo(), metrics_);
  EXPECT_FALSE(bad.start());
}

}  // namespace
}  // namespace postern::net
