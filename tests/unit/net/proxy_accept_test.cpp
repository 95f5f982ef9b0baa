// The PROXY protocol on a protocol server's listener (net/proxy_accept.h,
// net::ServerListeners::use_proxy_protocol), over real loopback sockets: the
// client the header names becomes the session's peer, the bytes after the
// header stay for the session, and a connection without a valid header, or
// from outside proxy_from, is closed and counted.
#include "net/proxy_accept.h"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/io_runtime.h"
#include "net/tcp_listener.h"
#include "raw_client.h"

namespace postern::net {
namespace {

using test::RawClient;

class ProxyAcceptTest : public ::testing::Test {
 protected:
  // The session: says who its peer is, then echoes the first bytes it reads.
  std::uint16_t start(ProxyProtocolOptions options) {
    options.enabled = true;
    EXPECT_TRUE(listeners_.use_proxy_protocol(options, registry_));
    auto port =
        listeners_.open("127.0.0.1:0", "", [](boost::asio::ip::tcp::socket socket, Peer peer) {
          boost::system::error_code ec;
          std::string said =
              peer.label + (peer.proxied ? " proxied" : "") + (peer.local() ? " local" : "") + "\n";
          boost::asio::write(socket, boost::asio::buffer(said), ec);
          char buffer[64];
          auto n = socket.read_some(boost::asio::buffer(buffer), ec);
          boost::asio::write(socket, boost::asio::buffer(buffer, n), ec);
        });
    EXPECT_TRUE(port);
    return port ? *port : 0;
  }

  double refused(const std::string& reason) {
    return registry_
        .counter("postern_proxy_protocol_refused_total", "",
                 {{"server", "line"}, {"reason", reason}})
        .value();
  }

  MetricsRegistry registry_;
  IoRuntime runtime_{2};
  ServerListeners listeners_{runtime_, "line"};

  void SetUp() override { runtime_.start(); }
  void TearDown() override {
    listeners_.close();
    runtime_.stop();
  }
};

TEST_F(ProxyAcceptTest, TheHeadersClientIsThePeerAndWhatFollowsIsTheSessions) {
  auto port = start({});
  RawClient c(port);
  c.send("PROXY TCP4 192.0.2.7 127.0.0.1 40000 25\r\nhello");
  EXPECT_EQ(c.read_until("hello"), "192.0.2.7:40000 proxied\nhello");
}

TEST_F(ProxyAcceptTest, V2InPiecesAndLocal) {
  auto port = start({});
  RawClient c(port);
  std::string v2{"\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24", 16};
  std::string block(36, '\0');
  block[0] = 0x20, block[1] = 0x01, block[2] = 0x0d, block[3] = '\xb8', block[15] = 1;
  block[31] = 1, block[32] = 0x01, block[33] = 0x02;
  c.send(v2.substr(0, 5));
  c.send(v2.substr(5) + block.substr(0, 20));
  c.send(block.substr(20) + "x");
  EXPECT_EQ(c.read_until("\nx"), "[2001:db8::1]:258 proxied\nx");
  // LOCAL (a health check): the socket's own address, still not local.
  RawClient check(port);
  check.send(std::string{"\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00", 16} + "y");
  auto said = check.read_until("\ny");
  EXPECT_TRUE(said.starts_with("127.0.0.1:")) << said;
  EXPECT_NE(said.find(" proxied\ny"), std::string::npos) << said;
}

TEST_F(ProxyAcceptTest, WithoutAValidHeaderTheConnectionIsClosed) {
  auto port = start({});
  RawClient c(port);
  c.send("EHLO client.example\r\n");
  EXPECT_EQ(c.read_until("\n"), "");
  EXPECT_EQ(refused("invalid"), 1);
  RawClient cut(port);
  cut.send("PROXY TCP4 192.0.2.7");
  cut.shut_write();
  EXPECT_EQ(cut.read_until("\n"), "");
  EXPECT_EQ(refused("closed"), 1);
}

TEST_F(ProxyAcceptTest, OnlyProxyFromMaySendIt) {
  auto port = start({.enabled = true, .from = {"192.0.2.0/24"}});
  RawClient c(port);
  c.send("PROXY TCP4 192.0.2.7 127.0.0.1 40000 25\r\nhello");
  EXPECT_EQ(c.read_until("\n"), "");
  EXPECT_EQ(refused("not_allowed"), 1);
}

TEST_F(ProxyAcceptTest, ABadProxyFromIsRefused) {
  EXPECT_FALSE(
      listeners_.use_proxy_protocol({.enabled = true, .from = {"10.0.0.0/33"}}, registry_));
}

}  // namespace
}  // namespace postern::net
