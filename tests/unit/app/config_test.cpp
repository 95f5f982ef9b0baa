#include "app/config.h"

#include <gtest/gtest.h>

namespace postern::app {
namespace {

TEST(Config, DefaultsServeWithNoFile) {
  auto c = parse_config("", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "127.0.0.1:8025");
  EXPECT_EQ(c->smtp.server.listen, "127.0.0.1:2525");
  EXPECT_EQ(c->store.backend, "sqlite");
  EXPECT_EQ(c->store.sqlite.path, "data/postern.db");
  EXPECT_FALSE(store::node_name_or_host(c->store).empty());  // the host's name
  EXPECT_EQ(c->routing.router.strategy, "round_robin");
  EXPECT_TRUE(c->routing.providers.empty());
}

TEST(Config, ReadsFileValuesWithUnits) {
  auto c = parse_config(R"(
[http]
listen = "0.0.0.0:9000"
idle_timeout = "2m"
max_connections = 500
max_body_bytes = "10MiB"
max_header_field_bytes = "16KiB"
max_header_fields = 200
[delivery]
lease = 30
max_age = "2h"
[smtp]
trusted_networks = ["10.0.0.0/8"]
[store]
segment_bytes = "1MiB"
compact_below = 0.25
node = "mx-2.eu_west"
)",
                        {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->http.idle_timeout, std::chrono::seconds(120));
  EXPECT_EQ(c->http.max_body_bytes, 10u << 20);
  EXPECT_EQ(c->http.max_connections, 500u);
  EXPECT_EQ(c->http.max_header_field_bytes, 16u << 10);
  EXPECT_EQ(c->http.max_header_fields, 200u);
  EXPECT_EQ(c->delivery.dispatcher.lease, std::chrono::seconds(30));
  EXPECT_EQ(c->delivery.dispatcher.retry.max_age, std::chrono::hours(2));
  EXPECT_EQ(c->smtp.server.trusted_networks, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(c->store.sqlite.segment_bytes, 1u << 20);
  EXPECT_EQ(c->store.sqlite.compact_below, 0.25);
  EXPECT_EQ(c->store.node, "mx-2.eu_west");
  EXPECT_EQ(store::node_name_or_host(c->store), "mx-2.eu_west");
}

TEST(Config, ReadsThePostgresBackend) {
  auto c = parse_config(R"([store]
backend = "postgres"
url = "host=127.0.0.1,127.0.0.1 port=5432,5433 dbname=postern user=postern password=s3cret target_session_attrs=read-write"
max_batch = 512
node = "mx-1"
)",
                        {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->store.on_postgres());
  EXPECT_EQ(c->store.postgres.url,
            "host=127.0.0.1,127.0.0.1 port=5432,5433 dbname=postern user=postern password=s3cret "
            "target_session_attrs=read-write");
  EXPECT_EQ(c->store.postgres.max_batch, 512u);
  // Nothing of the node is in a SQLite file's folder: its own files go to data/.
  EXPECT_EQ(store::local_data_dir(c->store), std::filesystem::path("data"));

  auto from_env = parse_config("", {{"POSTERN_STORE_BACKEND", "postgres"},
                                    {"POSTERN_STORE_URL", "postgresql://postern@db/postern"}});
  ASSERT_TRUE(from_env) << from_env.error().to_string();
  EXPECT_EQ(from_env->store.postgres.url, "postgresql://postern@db/postern");
}

TEST(Config, TheLocalFolderOnSqliteIsTheDatabaseFiles) {
  auto c = parse_config("[store]\npath = \"/var/lib/postern/mail.db\"\n", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->store.on_postgres());
  EXPECT_EQ(store::local_data_dir(c->store), std::filesystem::path("/var/lib/postern"));
}

// The wait before a failed login is answered: IMAP's as POP3's.
TEST(Config, ReadsTheBudgetForContentInFlight) {
  auto defaults = parse_config("", {});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->limits.inflight_bytes, default_inflight_bytes());
  auto c = parse_config(
      "[limits]\ninflight_bytes = \"64MiB\"\n[messages]\nmax_message_bytes = "
      "\"10MiB\"\n[http]\nmax_body_bytes = \"64MiB\"\n",
      {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->limits.inflight_bytes, 64u << 20);
}

TEST(Config, ReadsTheWebhookSenderSection) {
  auto c = parse_config(R"(
[webhooks]
timeout = "2s"
max_in_flight = 2
retry_for = "1h"
disable_after = "30m"
backoff_scale = 0.001
disable_on_gone = false
)",
                        {{"POSTERN_WEBHOOKS_ENABLED", "false"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->webhooks.enabled);
  EXPECT_EQ(c->webhooks.timeout, std::chrono::seconds(2));
  EXPECT_EQ(c->webhooks.max_in_flight, 2u);
  EXPECT_EQ(c->webhooks.retry_for, std::chrono::hours(1));
  EXPECT_EQ(c->webhooks.disable_after, std::chrono::minutes(30));
  EXPECT_DOUBLE_EQ(c->webhooks.backoff_scale, 0.001);
  EXPECT_FALSE(c->webhooks.disable_on_gone);
}

TEST(Config, LoginFailureDelays) {
  auto defaults = parse_config("", {});
  ASSERT_TRUE(defaults) << defaults.error().to_string();
  EXPECT_EQ(defaults->imap.server.login_failure_delay, std::chrono::seconds(1));
  EXPECT_EQ(defaults->pop3.server.login_failure_delay, std::chrono::seconds(1));
  auto c = parse_config("[imap]\nlogin_failure_delay = \"250ms\"\n",
                        {{"POSTERN_POP3_LOGIN_FAILURE_DELAY", "2s"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->imap.server.login_failure_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(c->pop3.server.login_failure_delay, std::chrono::seconds(2));
}

// Each server's section has its own PROXY protocol keys; the MX listener
// never takes submission's.
TEST(Config, ProxyProtocolPerListenerAndShutdownGraces) {
  auto defaults = parse_config("", {});
  ASSERT_TRUE(defaults) << defaults.error().to_string();
  EXPECT_FALSE(defaults->smtp.server.proxy.enabled);
  EXPECT_EQ(defaults->shutdown.drain_grace, std::chrono::seconds(0));
  EXPECT_EQ(defaults->shutdown.stop_grace, std::chrono::seconds(10));
  auto c = parse_config(
      "[smtp]\nproxy_protocol = true\nproxy_from = [\"10.0.0.2\", \"10.0.1.0/24\"]\n"
      "[imap]\nproxy_protocol = true\n[shutdown]\ndrain_grace = \"15s\"\n",
      {{"POSTERN_HTTP_PROXY_PROTOCOL", "true"}, {"POSTERN_SHUTDOWN_STOP_GRACE", "3s"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->smtp.server.proxy.enabled);
  EXPECT_EQ(c->smtp.server.proxy.from, (std::vector<std::string>{"10.0.0.2", "10.0.1.0/24"}));
  EXPECT_FALSE(c->smtp.mx_listener("127.0.0.1:0").proxy.enabled);
  EXPECT_TRUE(c->imap.server.proxy.enabled);
  EXPECT_TRUE(c->http.proxy.enabled);
  EXPECT_FALSE(c->pop3.server.proxy.enabled);
  EXPECT_EQ(c->shutdown.drain_grace, std::chrono::seconds(15));
  EXPECT_EQ(c->shutdown.stop_grace, std::chrono::seconds(3));
}

TEST(Config, EnvironmentWinsOverTheFile) {
  Environment env{{"POSTERN_HTTP_LISTEN", "127.0.0.1:1"},
                  {"POSTERN_SMTP_TRUSTED_NETWORKS", "1.0.0.0/8, 2.0.0.0/8"},
                  {"POSTERN_UNRELATED_THING", "ignored"}};
  auto c = parse_config("[http]\nlisten = \"127.0.0.1:2\"\n", env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->http.listen, "127.0.0.1:1");
  EXPECT_EQ(c->smtp.server.trusted_networks, (std::vector<std::string>{"1.0.0.0/8", "2.0.0.0/8"}));
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* toml;
    Environment env;
    const char* key;
  };
  const Case cases[] = {
      {"[http]\nlisen = \"x\"\n", {}, "http.lisen"},
      {"[htp]\n", {}, "htp"},
      {"[http]\nlisten = 5\n", {}, "http.listen"},
      {"[http]\nlisten = \"nohost\"\n", {}, "http.listen"},
      {"[http]\nmax_connections = 0\n", {}, "http.max_connections"},
      {"", {{"POSTERN_SMTP_MAX_CONNECTIONS", "0"}}, "smtp.max_connections"},
      {"[store]\nbackend = \"mysql\"\n", {}, "store.backend"},
      {"[store]\nbackend = \"postgres\"\n", {}, "store.url"},
      {"[store]\nbackend = \"postgres\"\nurl = \"host=db nonsense=1\"\n", {}, "store.url"},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://db/p?bogus=1\"\n", {}, "store.url"},
      {"[store]\nsegment_bytes = \"4KiB\"\n", {}, "store.segment_bytes"},
      {"[store]\ncompact_below = 1.5\n", {}, "store.compact_below"},
      // Below the largest message, or the largest request body: never taken.
      {"[limits]\ninflight_bytes = \"16MiB\"\n", {}, "limits.inflight_bytes"},
      {"[limits]\ninflight_bytes = \"30MiB\"\n", {}, "limits.inflight_bytes"},
      {"[limits]\ninflight_bytes = 1000\n", {}, "limits.inflight_bytes"},
      {"[store]\nnode = \"a node\"\n", {}, "store.node"},
      {"[store]\nnode = \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"\n",
       {},
       "store.node"},
      {"", {{"POSTERN_STORE_COMPACT_BELOW", "-1"}}, "POSTERN_STORE_COMPACT_BELOW"},
      {"[routing]\nstrategy = \"fastest\"\n", {}, "routing.strategy"},
      {"[delivery]\nlease = \"5 parsecs\"\n", {}, "delivery.lease"},
      {"[webhooks]\nretries = 3\n", {}, "webhooks.retries"},
      {"[webhooks]\nmax_in_flight = 0\n", {}, "webhooks.max_in_flight"},
      {"[webhooks]\nbackoff_scale = 0\n", {}, "webhooks.backoff_scale"},
      {"", {{"POSTERN_HTTP_THREADS", "many"}}, "POSTERN_HTTP_THREADS"},
      {"", {{"POSTERN_HTTP_NOPE", "1"}}, "POSTERN_HTTP_NOPE"},
      {"[[providers]]\ntype = \"mailgun\"\n", {}, "providers[0].name"},
      {"[[providers]]\nname = \"a\"\n", {}, "providers[0].type"},
      {"[[providers]]\nname = \"a\"\ntype = \"x\"\napi_key = \"env:MISSING_KEY\"\n",
       {},
       "providers[0].api_key"},
      {"[[providers]]\nname=\"a\"\ntype=\"x\"\n[[providers]]\nname=\"a\"\ntype=\"y\"\n",
       {},
       "providers[1].name"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.toml, c.env);
    ASSERT_FALSE(r) << c.toml;
    EXPECT_EQ(r.error().key, c.key) << r.error().to_string();
    EXPECT_FALSE(r.error().message.empty());
  }
}

// A key or value that nothing implements would do nothing: it is refused,
// named, until its feature lands (docs/configuration.md).
TEST(Config, SettingsThatWouldDoNothingAreRefused) {
  struct Case {
    const char* toml;
    Environment env;
    const char* key;
    const char* why;  // a part of the message
  };
  const Case cases[] = {
      {"[imap]\nmax_connections = 0\n", {}, "imap.max_connections", "at least 1"},
      {"[http]\nmax_header_fields = 0\n", {}, "http.max_header_fields", "at least 1"},
      // The whole header is held to 64 KiB: a longer field could not pass.
      {"[http]\nmax_header_field_bytes = \"100KiB\"\n",
       {},
       "http.max_header_field_bytes",
       "the whole header's limit"},
      {"", {{"POSTERN_IMAP_LISTEN", "nowhere"}}, "imap.listen", "host:port"},
      {"[pop3]\nidle_timeout = \"1m\"\n", {}, "pop3.idle_timeout", "RFC 1939"},
      // proxy_from without the PROXY protocol would restrict nothing.
      {"[smtp]\nproxy_from = [\"10.0.0.2\"]\n", {}, "smtp.proxy_from", "proxy_protocol = true"},
      {"[http]\nproxy_protocol = true\nproxy_from = [\"10.0.0.0/33\"]\n",
       {},
       "http.proxy_from",
       "not an IPv4 or IPv6 network"},
      // A url with SQLite, and SQLite's own keys with PostgreSQL.
      {"[store]\nurl = \"postgresql://p@db/p\"\n", {}, "store.url", "backend = \"postgres\""},
      {"",
       {{"POSTERN_STORE_URL", "postgresql://p@db/p"}},
       "POSTERN_STORE_URL",
       "backend = \"postgres\""},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://p@db/p\"\npath = \"x.db\"\n",
       {},
       "store.path",
       "SQLite setting"},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://p@db/p\"\nfsync = false\n",
       {},
       "store.fsync",
       "SQLite setting"},
      {"",
       {{"POSTERN_STORE_BACKEND", "postgres"},
        {"POSTERN_STORE_URL", "postgresql://p@db/p"},
        {"POSTERN_STORE_SEGMENT_BYTES", "1MiB"}},
       "POSTERN_STORE_SEGMENT_BYTES",
       "SQLite setting"},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://p@db/p\"\ncompact_below = 0\n",
       {},
       "store.compact_below",
       "SQLite setting"},
      {"[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n[imap]\nlisten = \"\"\n[tls]\ncert = "
       "\"c.pem\"\nkey = \"k.pem\"\n",
       {},
       "tls.cert",
       "only SMTP"},
      {"[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n[imap]\nlisten = \"\"\n[inbox]\nmx_listen = "
       "\"\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
       {},
       "tls.cert",
       "inbox.mx_listen"},
      {"[routing]\nheartbeat_registration = false\nheartbeat_allowed = [\"relay\"]\n",
       {},
       "routing.heartbeat_allowed",
       "no effect"},
      // HTTPS needs a certificate, and its settings need HTTPS.
      {"[http]\ntls_listen = \"127.0.0.1:0\"\n[tls]\nself_signed = false\n",
       {},
       "http.tls_listen",
       "tls.self_signed"},
      {"[http]\ntls_client_ca = \"ca.pem\"\n", {}, "http.tls_client_ca", "http.tls_listen"},
      {"",
       {{"POSTERN_HTTP_TLS_HANDSHAKE_TIMEOUT", "5s"}},
       "http.tls_handshake_timeout",
       "http.tls_listen"},
      {"[http]\ntls_listen = \"127.0.0.1:0\"\ntls_handshake_timeout = \"0s\"\n",
       {},
       "http.tls_handshake_timeout",
       "at least 1s"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.toml, c.env);
    ASSERT_FALSE(r) << c.toml;
    EXPECT_EQ(r.error().key, c.key) << r.error().to_string();
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().to_string();
  }
}

TEST(Config, TlsServesTheImplicitTlsListenerAlone) {
  auto c = parse_config(R"(
[smtp]
listen = ""
tls_listen = "127.0.0.1:0"
[tls]
cert = "c.pem"
key = "k.pem"
)",
                        {});
  ASSERT_TRUE(c) << c.error().to_string();
  auto listeners = c->smtp.listeners();
  ASSERT_EQ(listeners.size(), 1u);
  EXPECT_TRUE(listeners[0].implicit_tls);
  EXPECT_EQ(listeners[0].tls.cert, "c.pem");
}

TEST(Config, TlsServesTheMxListenerAlone) {
  auto c = parse_config(
      "[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n[imap]\nlisten = \"\"\n[inbox]\nmx_listen = "
      "\"127.0.0.1:0\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
      {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->inbox.mx_listen, "127.0.0.1:0");
}

TEST(Config, SyntaxErrorsGiveTheLine) {
  auto r = parse_config("[http]\nlisten = \n", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
}

TEST(Config, ProvidersResolveSecretsFromTheEnvironment) {
  auto c = parse_config(R"(
[[providers]]
name = "mg"
type = "mailgun"
api_key = "env:MG_KEY"
domain = "mg.example.com"
weight = 3
pool = "bulk"
)",
                        {{"MG_KEY", "key-123"}});
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->routing.providers.size(), 1u);
  const auto& p = c->routing.providers[0];
  EXPECT_EQ(p.name, "mg");
  EXPECT_EQ(p.type, "mailgun");
  EXPECT_EQ(p.pool, "bulk");
  EXPECT_EQ(p.weight, 3);
  EXPECT_EQ(p.settings.at("api_key"), "key-123");
  EXPECT_EQ(p.settings.at("domain"), "mg.example.com");
}

TEST(Config, RoutingHealthHeartbeatsAndRoutes) {
  auto c = parse_config(
      R"(
[routing]
strategy = "weighted"
default_pool = "main"
probe_interval = "2s"
probe_timeout = "500ms"
unhealthy_threshold = 3
error_rate = 0.25
throttle_rate = 1
base_ejection = "1s"
max_ejection = "30s"
heartbeat_window = "15s"
heartbeat_registration = false
[delivery]
max_hold = "2s"
[[providers]]
name = "mg"
type = "mailgun"
pool = "main"
rate_limit = 12.5
burst = 20
max_concurrency = 8
probe = false
domain = "mg.example.com"
[[providers]]
name = "bulk"
type = "smtp"
pool = "bulk"
[[routes]]
sender_domain = "*.news.example.com"
pool = "bulk"
[[routes]]
tag = "receipt"
metadata = "tenant=acme"
pool = "main"
)",
      {{"POSTERN_ROUTING_PROBE_JITTER", "100ms"}});
  ASSERT_TRUE(c) << c.error().to_string();
  const auto& r = c->routing.router;
  EXPECT_EQ(r.strategy, "weighted");
  EXPECT_EQ(r.routes.default_pool(), "main");
  EXPECT_EQ(r.probe.interval, std::chrono::seconds(2));
  EXPECT_EQ(r.probe.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(r.probe.jitter, std::chrono::milliseconds(100));
  EXPECT_EQ(r.probe.unhealthy_threshold, 3u);
  EXPECT_EQ(r.probe.healthy_threshold, 2u);
  EXPECT_DOUBLE_EQ(r.outlier.error_rate, 0.25);
  EXPECT_DOUBLE_EQ(r.outlier.throttle_rate, 1.0);
  EXPECT_EQ(r.outlier.base_ejection, std::chrono::seconds(1));
  EXPECT_EQ(r.outlier.max_ejection, std::chrono::seconds(30));
  EXPECT_EQ(r.heartbeat.window, std::chrono::seconds(15));
  EXPECT_FALSE(r.heartbeat.registration);
  EXPECT_EQ(c->delivery.dispatcher.max_hold, std::chrono::seconds(2));
  const auto& p = c->routing.providers[0];
  EXPECT_DOUBLE_EQ(p.rate_limit, 12.5);
  EXPECT_EQ(p.burst, 20u);
  EXPECT_EQ(p.max_concurrency, 8u);
  EXPECT_FALSE(p.probe);
  // Provider-level keys never reach the factory's settings.
  EXPECT_EQ(p.settings, (std::map<std::string, std::string>{{"domain", "mg.example.com"}}));
  const auto& routes = r.routes.rules();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].sender_domain, "*.news.example.com");
  EXPECT_EQ(routes[0].pool, "bulk");
  EXPECT_EQ(routes[1].tag, "receipt");
  EXPECT_EQ(routes[1].metadata_key, "tenant");
  EXPECT_EQ(routes[1].metadata_value, "acme");
}

TEST(Config, HeartbeatAllowedNamesComeFromTheFileOrTheEnvironment) {
  auto c = parse_config("[routing]\nheartbeat_allowed = [\"relay-1\"]\n",
                        {{"POSTERN_ROUTING_HEARTBEAT_ALLOWED", "a, b"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->routing.router.heartbeat.allowed, (std::vector<std::string>{"a", "b"}));
}

TEST(Config, RoutingErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"[routing]\nerror_rate = 1.5\n", "routing.error_rate"},
      {"[routing]\nerror_rate = \"half\"\n", "routing.error_rate"},
      {"[routing]\nhealthy_threshold = 0\n", "routing.healthy_threshold"},
      {"[routing]\nbase_ejection = \"10s\"\nmax_ejection = \"5s\"\n", "routing.max_ejection"},
      {"[routing]\nprobe_timeout = 0\n", "routing.probe_timeout"},
      {"[[routes]]\ntag = \"x\"\n", "routes[0].pool"},
      {"[[routes]]\npool = \"x\"\n", "routes[0]"},
      {"[[routes]]\npool = \"x\"\nmetadata = \"novalue\"\n", "routes[0].metadata"},
      {"[[routes]]\npool = \"x\"\nsender = \"a\"\n", "routes[0].sender"},
      {"[routing]\nheartbeat_registration = false\n[[routes]]\ntag = \"t\"\npool = \"nowhere\"\n",
       "routes[0].pool"},
      {"[[providers]]\nname = \"a\"\ntype = \"smtp\"\nrate_limit = -1\n",
       "providers[0].rate_limit"},
      {"[[providers]]\nname = \"a\"\ntype = \"smtp\"\nmax_concurrency = \"lots\"\n",
       "providers[0].max_concurrency"},
      {"[[providers]]\nname = \"a\"\ntype = \"smtp\"\nprobe = \"maybe\"\n", "providers[0].probe"},
      {"[[providers]]\nname = \"a\"\ntype = \"smtp\"\nweight = 1.5\n", "providers[0].weight"},
  };
  for (const auto& [toml, key] : cases) {
    auto r = parse_config(toml, {});
    ASSERT_FALSE(r) << toml;
    EXPECT_EQ(r.error().key, key) << r.error().to_string();
  }
}

// HTTPS takes [tls]'s certificate, and a certificate used by HTTPS alone is
// one a listener uses.
TEST(Config, HttpsListenerServesTheTlsCertificate) {
  auto r = parse_config(
      "[smtp]\nlisten = \"\"\n[pop3]\nlisten = \"\"\n[imap]\nlisten = \"\"\n[http]\n"
      "tls_listen = \"127.0.0.1:8443\"\ntls_client_ca = \"relays.pem\"\n"
      "tls_handshake_timeout = \"3s\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
      {});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->http.tls_listen, "127.0.0.1:8443");
  EXPECT_EQ(r->http.tls_client_ca, "relays.pem");
  EXPECT_EQ(r->http.tls_handshake_timeout, std::chrono::seconds(3));
  EXPECT_EQ(r->http.tls.cert, "c.pem");
  EXPECT_EQ(r->http.tls.key, "k.pem");
}

}  // namespace
}  // namespace postern::app
