#include "inbox/client_settings.h"

#include <gtest/gtest.h>

#include <random>

namespace postern::inbox {
namespace {

TEST(ClientSettings, EndpointsComeFromListenAddresses) {
  auto e = endpoint_of("127.0.0.1:0", 40123, false, true);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 40123);
  EXPECT_TRUE(e.live);
  EXPECT_EQ(endpoint_of("[::1]:1143", 1143, true, false).host, "::1");
  EXPECT_EQ(endpoint_of("nonsense", 1, false, false).host, "");
}

TEST(ClientSettings, WildcardHostsBecomeTheHostTheClientReached) {
  ClientSettings s;
  s.smtp = endpoint_of("0.0.0.0:2525", 2525, false, true);
  s.imap = endpoint_of("127.0.0.1:1143", 1143, false, false);
  s.pop3 = endpoint_of("[::]:1110", 1110, false, false);
  s.http = endpoint_of("0.0.0.0:8025", 8025, false, true);
  auto c = for_client(s, host_of_header("mail.example.test:8025"));
  EXPECT_EQ(c.smtp.host, "mail.example.test");
  EXPECT_EQ(c.imap.host, "127.0.0.1");  // a named address stays
  EXPECT_EQ(c.pop3.host, "mail.example.test");
  EXPECT_EQ(web_url(c.http), "http://mail.example.test:8025");
  EXPECT_EQ(for_client(s, "").smtp.host, "localhost");
}

TEST(ClientSettings, HostHeadersGiveTheirHost) {
  EXPECT_EQ(host_of_header("example.test"), "example.test");
  EXPECT_EQ(host_of_header("example.test:80"), "example.test");
  EXPECT_EQ(host_of_header("[::1]:8025"), "::1");
  EXPECT_EQ(host_of_header("[::1"), "");
  EXPECT_EQ(host_of_header(""), "");
  // Anything that is not a host name or address is dropped, never echoed.
  EXPECT_EQ(host_of_header("evil.test/<script>"), "");
  EXPECT_EQ(host_of_header("a b"), "");
}

TEST(ClientSettings, UrlsBracketIpv6Hosts) {
  EXPECT_EQ(web_url({"::1", 8025, false, true}), "http://[::1]:8025");
  EXPECT_EQ(host_and_port({"127.0.0.1", 1143, false, true}), "127.0.0.1:1143");
}

// The Host header is the client's: random and mutated ones never crash
// and never give back a character outside host names and addresses.
TEST(ClientSettings, RandomHostHeadersAreHarmless) {
  std::mt19937 rng(27);
  const std::string seeds[] = {"[::1]:8025", "example.test:80", "[", "]:", "a:b:c"};
  for (int i = 0; i < 20000; ++i) {
    std::string h = seeds[rng() % std::size(seeds)];
    for (int m = rng() % 6; m > 0; --m) {
      auto at = h.empty() ? 0 : rng() % (h.size() + 1);
      h.insert(h.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng() % 256));
    }
    auto host = host_of_header(h);
    for (char c : host) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':')
          << h;
    }
  }
}

}  // namespace
}  // namespace postern::inbox
