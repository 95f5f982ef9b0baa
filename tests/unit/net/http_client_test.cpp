// The pooled HTTP client against a local recording server: request shape,
// keep-alive reuse, stale connections, limits, timeouts, refusals and TLS
// verification with a CA generated for the test.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "net/io_runtime.h"
#include "support/await_completion.h"
#include "support/recording_http_server.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace postern::net {
namespace {

using test::CannedResponse;
using test::RecordedRequest;
using test::RecordingHttpServer;
using namespace std::chrono_literals;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { io_.start(); }

  HttpClient& client(HttpClientOptions options = {}) {
    auto created = HttpClient::create(io_, std::move(options));
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    client_ = std::move(*created);
    return *client_;
  }

  Result<HttpClientResponse> send(HttpClient& c, HttpClientRequest request) {
    return test::await_completion<HttpClientResponse>(
        [&](auto done) { c.send(std::move(request), done); });
  }
  Result<HttpClientResponse> get(HttpClient& c, const std::string& url,
                                 std::chrono::milliseconds timeout = 10000ms) {
    HttpClientRequest r;
    r.url = url;
    r.timeout = timeout;
    return send(c, std::move(r));
  }

  // 32 requests at once through one client; every response reaches its caller.
  void send_concurrently(HttpClient& c, RecordingHttpServer& server) {
    std::vector<std::future<Result<HttpClientResponse>>> results;
    for (int i = 0; i < 32; ++i) {
      results.push_back(std::async(
          std::launch::async, [&, i] { return get(c, server.url("/r" + std::to_string(i))); }));
    }
    for (int i = 0; i < 32; ++i) {
      auto r = results[static_cast<std::size_t>(i)].get();
      ASSERT_TRUE(r) << r.error().message();
      EXPECT_EQ(r->body, "/r" + std::to_string(i));
    }
  }

  IoRuntime io_{2};
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, SendsTheRequestAndReturnsStatusHeadersAndBody) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{201, {{"X-Reply", "yes"}}, "{\"ok\":true}"};
  });
  auto& c = client();
  HttpClientRequest r;
  r.method = "POST";
  r.url = server.url("/v3/a%20b/messages?x=1&y=%C3%A9");
  r.headers = {{"Authorization", "Bearer k"}, {"Content-Type", "application/json"}};
  r.body = "{\"subject\":\"h\xC3\xA9llo\"}";
  auto response = send(c, r);
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->header("x-reply"), "yes");
  EXPECT_EQ(response->body, "{\"ok\":true}");

  auto seen = server.last_request();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v3/a%20b/messages?x=1&y=%C3%A9");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("Authorization"), "Bearer k");
  EXPECT_EQ(seen.header("Content-Length"), std::to_string(r.body.size()));
  EXPECT_EQ(seen.header("User-Agent"), "postern");
  EXPECT_EQ(seen.body, r.body);
}

TEST_F(HttpClientTest, KeepsACallerSetHostHeader) {
  RecordingHttpServer server;
  auto& c = client();
  HttpClientRequest r;
  r.url = server.url("/");
  r.headers = {{"Host", "email.us-east-1.amazonaws.com"}};
  ASSERT_TRUE(send(c, r));
  auto seen = server.last_request();
  EXPECT_EQ(seen.header("Host"), "email.us-east-1.amazonaws.com");
  std::size_t hosts = 0;
  for (const auto& [name, _] : seen.headers) hosts += name == "Host";
  EXPECT_EQ(hosts, 1u);
}

TEST_F(HttpClientTest, ReusesOneKeepAliveConnection) {
  RecordingHttpServer server;
  auto& c = client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(get(c, server.url("/n")));
  EXPECT_EQ(server.connections(), 1u);
  auto stats = c.stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 2u);
  EXPECT_EQ(stats.idle_connections, 1u);
}

TEST_F(HttpClientTest, DoesNotReuseAConnectionTheServerCloses) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, "x", false, true};
  });
  auto& c = client();
  ASSERT_TRUE(get(c, server.url("/")));
  ASSERT_TRUE(get(c, server.url("/")));
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(c.stats().idle_connections, 0u);
}

TEST_F(HttpClientTest, KeepsNoIdleConnectionWhenMaxIdleIsZero) {
  RecordingHttpServer server;
  HttpClientOptions options;
  options.max_idle_per_host = 0;
  auto& c = client(options);
  ASSERT_TRUE(get(c, server.url("/")));
  ASSERT_TRUE(get(c, server.url("/")));
  EXPECT_EQ(server.connections(), 2u);
}

TEST_F(HttpClientTest, RetriesOnceWhenAPooledConnectionTurnsOutDead) {
  int n = 0;
  RecordingHttpServer server([&n](const RecordedRequest&) {
    CannedResponse r{200, {}, "first"};
    r.drop_after = ++n == 1;  // the server forgets the keep-alive connection
    if (n > 1) r.body = "second";
    return r;
  });
  auto& c = client();
  ASSERT_TRUE(get(c, server.url("/")));
  auto response = get(c, server.url("/"));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, "second");
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(c.stats().stale_retries, 1u);
}

TEST_F(HttpClientTest, ClosesConnectionsIdleLongerThanTheExpiry) {
  RecordingHttpServer server;
  HttpClientOptions options;
  options.idle_expiry = 50ms;
  auto& c = client(options);
  ASSERT_TRUE(get(c, server.url("/")));
  for (int i = 0; i < 200 && c.stats().idle_connections > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(c.stats().idle_connections, 0u);
  ASSERT_TRUE(get(c, server.url("/")));
  EXPECT_EQ(server.connections(), 2u);
}

TEST_F(HttpClientTest, ReadsChunkedResponses) {
  std::string body(10000, 'a');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  RecordingHttpServer server([&](const RecordedRequest&) {
    CannedResponse r{200, {}, body};
    r.chunked = true;
    return r;
  });
  auto& c = client();
  auto response = get(c, server.url("/"));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, body);
  // The connection stays usable after a chunked body.
  ASSERT_TRUE(get(c, server.url("/")));
  EXPECT_EQ(server.connections(), 1u);
}

TEST_F(HttpClientTest, RefusesBodiesOverTheLimit) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, std::string(5000, 'x')};
  });
  HttpClientOptions options;
  options.max_response_body_bytes = 1000;
  auto& c = client(options);
  auto response = get(c, server.url("/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::body_too_large);
}

TEST_F(HttpClientTest, TimesOutAfterTheRequestWasSent) {
  RecordingHttpServer server([](const RecordedRequest&) { return CannedResponse{.hang = true}; });
  auto& c = client();
  auto response = get(c, server.url("/"), 200ms);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::timeout_after_sent);
  EXPECT_TRUE(request_may_have_been_processed(response.error()));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, TimesOutBeforeTheRequestWasSent) {
  test::RecordingHttpServerOptions silent;
  silent.read_requests = false;
  RecordingHttpServer server({}, silent);
  auto& c = client();
  HttpClientRequest r;
  r.method = "POST";
  r.url = server.url("/");
  r.body = std::string(48 * 1024 * 1024, 'x');  // more than the socket buffers hold
  r.timeout = 500ms;
  auto response = send(c, std::move(r));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::timeout_before_sent);
  EXPECT_FALSE(request_may_have_been_processed(response.error()));
}

TEST_F(HttpClientTest, ReportsConnectionRefused) {
  std::string url;
  {
    RecordingHttpServer gone;
    url = gone.url("/");
  }
  auto& c = client();
  auto response = get(c, url);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::connection_refused);
  EXPECT_FALSE(request_may_have_been_processed(response.error()));
}

TEST_F(HttpClientTest, ReportsMalformedResponses) {
  RecordingHttpServer server(
      [](const RecordedRequest&) { return CannedResponse{.raw = "SMTP/9 nonsense\r\n\r\n"}; });
  auto& c = client();
  auto response = get(c, server.url("/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::malformed_response);
}

TEST_F(HttpClientTest, RefusesBadUrlsAndHeaderInjection) {
  auto& c = client();
  auto response = get(c, "ftp://example.com/");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::invalid_request);
  HttpClientRequest r;
  r.url = "http://127.0.0.1:1/";
  r.headers = {{"X-Evil", "a\r\nHost: other"}};
  response = send(c, r);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::invalid_request);
}

// Connections opened for a burst are kept for the next one: a pool smaller
// than the requests in flight closed them after one request each, and a
// busy dispatcher opened thousands of connections a second.
TEST_F(HttpClientTest, KeepsTheConnectionsABurstOpened) {
  RecordingHttpServer server([](const RecordedRequest& r) {
    return CannedResponse{200, {}, r.target};
  });
  auto& c = client();
  send_concurrently(c, server);
  auto opened = c.stats().connections_opened;
  EXPECT_EQ(c.stats().idle_connections, opened);
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(get(c, server.url("/again")));
  EXPECT_EQ(c.stats().connections_opened, opened);
  EXPECT_EQ(server.connections(), opened);
}

TEST_F(HttpClientTest, KeepsAtMostMaxIdleConnections) {
  RecordingHttpServer server([](const RecordedRequest& r) {
    return CannedResponse{200, {}, r.target};
  });
  HttpClientOptions options;
  options.max_idle_per_host = 4;
  auto& c = client(options);
  send_concurrently(c, server);
  EXPECT_LE(c.stats().idle_connections, 4u);
}

TEST(HostHeaderOf, OmitsDefaultPortsAndBracketsIpv6) {
  EXPECT_EQ(host_header_of("http://example.com/x").value(), "example.com");
  EXPECT_EQ(host_header_of("http://example.com:80/x").value(), "example.com");
  EXPECT_EQ(host_header_of("https://example.com:443").value(), "example.com");
  EXPECT_EQ(host_header_of("https://example.com:8443/").value(), "example.com:8443");
  EXPECT_EQ(host_header_of("http://[::1]:8080/").value(), "[::1]:8080");
  EXPECT_FALSE(host_header_of("mailto:a@b"));
}

// TLS with a CA made for the test: verification is on by default.
class HttpClientTlsTest : public HttpClientTest {
 protected:
  std::string write_ca(const test::TestPki& pki) {
    auto path = dir_.file("ca.pem");
    std::ofstream(path) << pki.ca_cert_pem;
    return path;
  }
  static test::RecordingHttpServerOptions tls_of(const test::TestPki& pki) {
    test::RecordingHttpServerOptions o;
    o.cert_pem = pki.server_cert_pem;
    o.key_pem = pki.server_key_pem;
    return o;
  }
  static std::string localhost_url(const RecordingHttpServer& server) {
    return "https://localhost:" + std::to_string(server.port()) + "/secure";
  }
  test::TempDir dir_;
};

TEST_F(HttpClientTlsTest, VerifiesTheServerWithTheGivenCa) {
  auto pki = test::make_test_pki({"localhost"});
  RecordingHttpServer server(
      [](const RecordedRequest&) {
        return CannedResponse{200, {}, "secret"};
      },
      tls_of(pki));
  HttpClientOptions options;
  options.tls.ca_file = write_ca(pki);
  auto& c = client(options);
  auto response = get(c, localhost_url(server));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, "secret");
  EXPECT_EQ(server.last_request().header("Host"), "localhost:" + std::to_string(server.port()));
  // Pooled like plain connections.
  ASSERT_TRUE(get(c, localhost_url(server)));
  EXPECT_EQ(server.connections(), 1u);
}

TEST_F(HttpClientTlsTest, RefusesAServerSignedByAnUnknownCa) {
  auto pki = test::make_test_pki({"localhost"});
  RecordingHttpServer server({}, tls_of(pki));
  auto& c = client();  // the system store only
  auto response = get(c, localhost_url(server));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::tls_failed);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, RefusesACertificateForAnotherHost) {
  auto pki = test::make_test_pki({"other.example"});
  RecordingHttpServer server({}, tls_of(pki));
  HttpClientOptions options;
  options.tls.ca_file = write_ca(pki);
  auto& c = client(options);
  auto response = get(c, localhost_url(server));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::tls_failed);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTlsTest, MatchesIpAddressesAgainstIpSubjectAltNames) {
  auto by_ip = test::make_test_pki({"localhost"}, {"127.0.0.1"});
  RecordingHttpServer server({}, tls_of(by_ip));
  HttpClientOptions options;
  options.tls.ca_file = write_ca(by_ip);
  auto& c = client(options);
  ASSERT_TRUE(get(c, server.url("/")));  // https://127.0.0.1:port

  auto names_only = test::make_test_pki({"localhost"});
  RecordingHttpServer other({}, tls_of(names_only));
  std::ofstream(dir_.file("ca2.pem")) << names_only.ca_cert_pem;
  options.tls.ca_file = dir_.file("ca2.pem");
  auto& c2 = client(options);
  auto response = get(c2, other.url("/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpClientErrc::tls_failed);
}

TEST_F(HttpClientTlsTest, InsecureModeSkipsVerification) {
  auto pki = test::make_test_pki({"other.example"});
  RecordingHttpServer server({}, tls_of(pki));
  HttpClientOptions options;
  options.tls.insecure = true;
  auto& c = client(options);
  ASSERT_TRUE(get(c, localhost_url(server)));
}

TEST_F(HttpClientTlsTest, RefusesAnUnreadableCaFile) {
  HttpClientOptions options;
  options.tls.ca_file = dir_.file("missing.pem");
  auto created = HttpClient::create(io_, options);
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("missing.pem"), std::string::npos);
}

}  // namespace
}  // namespace postern::net
