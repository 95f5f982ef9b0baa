// The abuse limits HTTP and SMTP share (docs/operations.md "Abuse limits"):
// request rate and concurrency per API key and per client address, SMTP
// messages per minute per user, and growing delays after failed logins per
// client address. Thread-safe (the I/O threads and the auth pool call it);
// the logic is in the sans-io tables (auth/rate_table.h,
// auth/failure_delays.h), this class adds the lock, the clock, metrics and
// logs.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/failure_delays.h"
#include "auth/limits_config.h"
#include "auth/rate_table.h"
#include "core/clock.h"
#include "core/metrics.h"

namespace postern::auth {

enum class LoginProtocol { http, smtp, imap, pop3 };

class AbuseLimits {
 public:
  AbuseLimits(const LimitsOptions& options, const Clock& clock, MetricsRegistry& metrics);

  struct Refused {
    std::chrono::seconds retry_after;  // at least 1
    std::string_view limit;            // "key_rate", "address_concurrency", ...
    std::string message;               // for the client
  };

  // Held while an HTTP request is in flight: gives its place back when the
  // last copy goes (after the answer is sent).
  class Permit {
   public:
    Permit(AbuseLimits& owner, bool by_key, std::string held)
        : owner_(owner), by_key_(by_key), held_(std::move(held)) {}
    ~Permit();
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;

   private:
    AbuseLimits& owner_;
    bool by_key_;
    std::string held_;
  };

  // `proxied`, below: the address was named by a PROXY header
  // (net::Peer::proxied), so a loopback one is on the proxy's host, not
  // this one, and not exempt.

  // One HTTP request: charged to the API key `key` when it has one (a
  // valid key), else to the client `address` (unless exempt).
  std::variant<std::shared_ptr<Permit>, Refused> admit_request(std::string_view key,
                                                               std::string_view address,
                                                               bool proxied = false);
  // One SMTP message by `user` (an API key or SMTP user name).
  std::optional<Refused> admit_message(std::string_view user);

  // When `address` must wait before its next login attempt, or nullopt.
  std::optional<Refused> login_blocked(LoginProtocol protocol, std::string_view address,
                                       bool proxied = false);
  // Records (counts and logs, without the secret) a failed login by `user`
  // ("" when there is none, as with an API key) from `address`.
  void login_failed(LoginProtocol protocol, std::string_view address, std::string_view user,
                    bool proxied = false);
  void login_succeeded(std::string_view address);

 private:
  Refused refused(std::string_view limit, std::chrono::milliseconds retry_after,
                  std::string message);
  void release(bool by_key, const std::string& held);
  // Loopback and not proxied, with exempt_loopback: no per-address limit
  // applies.
  bool exempt(std::string_view address, bool proxied) const;

  const Clock& clock_;
  MetricsRegistry& metrics_;
  bool exempt_loopback_;
  std::mutex mu_;
  RateTable keys_;       // guarded by mu_
  RateTable addresses_;  // guarded by mu_
  RateTable smtp_users_;
  FailureDelays failures_;  // guarded by mu_
  Counter* login_failures_[4];
  Counter* login_delayed_[4];
};

}  // namespace postern::auth
