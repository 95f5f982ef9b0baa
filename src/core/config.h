// Postern's configuration: one TOML file, every key overridable from the
// environment as POSTERN_<SECTION>_<KEY>, defaults that serve with no file.
// Validation happens here, at start, with errors naming the key.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace postern {

struct HttpConfig {
  std::string listen = "127.0.0.1:8025";
  unsigned threads = 0;  // 0: one per core
  std::size_t max_body_bytes = 40 * 1024 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds max_wait{60};    // upper bound of Prefer: wait=N
  std::size_t max_connections = 10000;  // open at once; more are closed at accept
};

struct SmtpConfig {
  std::string listen = "127.0.0.1:2525";
  std::string tls_listen;  // implicit TLS (port 465 style); needs [tls]; "" = none
  std::vector<std::string> trusted_networks = {"127.0.0.0/8", "::1/128"};
  std::string hostname = "localhost";
  bool auth_without_tls = false;  // offer AUTH on unencrypted connections
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 100;
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds session_timeout{3600};
  std::size_t max_errors = 20;  // 5xx replies before 421 and disconnect
};

struct TlsConfig {
  std::string cert;
  std::string key;
};

struct ImapConfig {
  std::string listen = "127.0.0.1:1143";
};

struct StoreConfig {
  std::string backend = "sqlite";
  std::string path = "data/postern.db";
  std::string url;
  std::size_t max_batch = 2048;  // operations per group commit
  // false acknowledges before data is on disk (SQLite synchronous=OFF).
  // Only for tests that prove the power-cut test can fail, and benchmarks
  // that measure what fsync costs. Never in production.
  bool fsync = true;
  // Messages that ended (sent, failed, cancelled) this long ago are deleted
  // with their content (store/retention.h); 0 keeps them forever.
  std::chrono::milliseconds retention{std::chrono::hours(24 * 30)};
};

// [routing]: strategy, health checks and heartbeats (docs/routing.md).
struct RoutingConfig {
  std::string strategy = "round_robin";
  std::string default_pool = "default";  // for messages no route matches
  // Active probes; probe_interval 0 turns them off.
  std::chrono::milliseconds probe_interval{5000};
  std::chrono::milliseconds probe_timeout{2000};
  std::chrono::milliseconds probe_jitter{500};
  std::size_t unhealthy_threshold = 2;  // failed probes in a row
  std::size_t healthy_threshold = 2;    // good probes in a row
  // Passive outlier detection on real traffic (0 turns a check off).
  std::size_t consecutive_failures = 5;
  std::size_t consecutive_down = 1;
  double error_rate = 0.5;
  double throttle_rate = 0.5;
  std::size_t min_requests = 20;
  std::chrono::milliseconds error_window{10000};
  std::chrono::milliseconds base_ejection{2000};
  std::chrono::milliseconds max_ejection{60000};
  std::size_t trial_successes = 3;
  // Heartbeats.
  std::chrono::milliseconds heartbeat_window{30000};
  bool heartbeat_registration = true;
  std::vector<std::string> heartbeat_allowed;  // empty: any name may register
};

// One [[routes]] entry: messages matching every condition given go to pool.
struct RouteConfig {
  std::string sender_domain;  // "example.com" or "*.example.com"
  std::string tag;
  std::string metadata_key;  // from metadata = "key=value"
  std::string metadata_value;
  std::string pool;
  std::string key_path;  // "routes[0]"
};

struct DeliveryConfig {
  bool enabled = true;
  std::size_t window = 1024;  // messages leased and in flight at once
  std::chrono::seconds lease{120};
  std::chrono::seconds max_age{24 * 3600};
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::seconds max_backoff{3600};
  std::chrono::milliseconds poll_interval{500};
  // How long a message may wait in memory for a provider at its rate limit
  // or concurrency cap before it is deferred to the store instead.
  std::chrono::milliseconds max_hold{10000};
};

struct MessagesConfig {
  std::size_t max_message_bytes = 25 * 1024 * 1024;
  std::size_t max_recipients = 1000;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "text";  // text or json
};

// One [[providers]] entry. Keys every provider has are fields; the rest stay
// in settings for the provider's factory to validate. Secrets given as
// env:NAME or file:PATH are already resolved.
struct ProviderConfig {
  std::string name;
  std::string type;
  std::string pool = "default";
  int weight = 1;
  int priority = 1;
  double rate_limit = 0;            // messages per second; 0: none
  std::size_t burst = 0;            // 0: one second's worth (at least 1)
  std::size_t max_concurrency = 0;  // attempts in flight; 0: no cap
  bool probe = true;                // active health probes
  std::map<std::string, std::string> settings;
  std::string key_path;  // "providers[2]", for error messages
};

struct Config {
  HttpConfig http;
  SmtpConfig smtp;
  TlsConfig tls;
  ImapConfig imap;
  StoreConfig store;
  RoutingConfig routing;
  DeliveryConfig delivery;
  MessagesConfig messages;
  LogConfig log;
  std::vector<ProviderConfig> providers;
  std::vector<RouteConfig> routes;
  std::string source_path;  // the file it was read from ("" for none), for reloads
};

// The error of a configuration that cannot be used: which key and why.
struct ConfigError {
  std::string key;
  std::string message;
  std::string to_string() const { return key.empty() ? message : key + ": " + message; }
};

using Environment = std::map<std::string, std::string>;

// Reads the process environment (only the POSTERN_* variables and any that
// env: secrets might name are needed, but all are returned).
Environment process_environment();

// Sets one key of a [[providers]] entry (or an API body) given as text: the
// keys every provider has (name, type, pool, weight, priority, rate_limit,
// burst, max_concurrency, probe) become fields, the rest go to settings for
// the provider's factory. Errors name "<key_path>.<key>".
Result<void, ConfigError> set_provider_key(ProviderConfig& provider, const std::string& key,
                                           const std::string& text);

// Loads a configuration. `path` may be empty (defaults only). Environment
// overrides are applied over the file, then everything is validated.
Result<Config, ConfigError> load_config(const std::string& path, const Environment& env);

// Same from TOML text (tests, `postern config check`).
Result<Config, ConfigError> parse_config(std::string_view toml_text, const Environment& env);

// "30s", "5m", "2h", "1500ms", "1d" or a plain number of seconds.
Result<std::chrono::milliseconds, Problem> parse_duration(std::string_view text);
// "512", "64KiB", "25MiB", "1GiB" (also KB/MB/GB as powers of 1000).
Result<std::size_t, Problem> parse_size(std::string_view text);

}  // namespace postern
