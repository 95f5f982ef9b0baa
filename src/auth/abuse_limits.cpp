#include "auth/abuse_limits.h"

#include <spdlog/spdlog.h>

namespace postern::auth {
namespace {

constexpr std::string_view kProtocols[] = {"http", "smtp", "imap", "pop3"};

std::size_t index_of(LoginProtocol p) { return static_cast<std::size_t>(p); }

// SMTP counts messages per minute; its bucket, like the others, per second.
RateLimit smtp_limit(const LimitsOptions& o) {
  return {.per_second = o.smtp_messages_per_minute / 60.0, .burst = o.smtp_burst, .concurrent = 0};
}

}  // namespace

AbuseLimits::AbuseLimits(const LimitsOptions& options, const Clock& clock, MetricsRegistry& metrics)
    : clock_(clock),
      metrics_(metrics),
      exempt_loopback_(options.exempt_loopback),
      keys_(options.per_key, options.max_tracked),
      addresses_(options.per_address, options.max_tracked),
      smtp_users_(smtp_limit(options), options.max_tracked),
      failures_(options.auth_failures, options.max_tracked) {
  for (std::size_t i = 0; i < std::size(kProtocols); ++i) {
    std::string protocol(kProtocols[i]);
    login_failures_[i] =
        &metrics.counter("postern_auth_failures_total",
                         "Failed logins (wrong or unknown credentials)", {{"protocol", protocol}});
    login_delayed_[i] = &metrics.counter(
        "postern_auth_delayed_total",
        "Login attempts refused unchecked while their address waits after failures",
        {{"protocol", protocol}});
  }
}

AbuseLimits::Permit::~Permit() { owner_.release(by_key_, held_); }

AbuseLimits::Refused AbuseLimits::refused(std::string_view limit,
                                          std::chrono::milliseconds retry_after,
                                          std::string message) {
  metrics_
      .counter("postern_limits_refused_total", "Requests and messages refused by the abuse limits",
               {{"limit", std::string(limit)}})
      .inc();
  auto seconds = std::chrono::ceil<std::chrono::seconds>(retry_after);
  return Refused{std::max(seconds, std::chrono::seconds(1)), limit, std::move(message)};
}

std::variant<std::shared_ptr<AbuseLimits::Permit>, AbuseLimits::Refused> AbuseLimits::admit_request(
    std::string_view key, std::string_view address, bool proxied) {
  bool by_key = !key.empty();
  if (!by_key && exempt(address, proxied)) return std::make_shared<Permit>(*this, false, "");
  RateTable::Verdict v;
  {
    std::lock_guard lock(mu_);
    v = (by_key ? keys_ : addresses_)
            .acquire(std::string(by_key ? key : address), clock_.steady_now(), true);
  }
  if (v.ok()) return std::make_shared<Permit>(*this, by_key, std::move(v.held));
  bool rate = v.refusal == RateTable::Refusal::rate;
  std::string_view limit = by_key ? (rate ? "key_rate" : "key_concurrency")
                                  : (rate ? "address_rate" : "address_concurrency");
  std::string who = by_key ? "this API key" : "this client address";
  return refused(limit, v.retry_after,
                 rate ? "too many requests from " + who + "; slow down"
                      : "too many requests in flight from " + who);
}

void AbuseLimits::release(bool by_key, const std::string& held) {
  std::lock_guard lock(mu_);
  (by_key ? keys_ : addresses_).release(held);
}

bool AbuseLimits::exempt(std::string_view address, bool proxied) const {
  return exempt_loopback_ && !proxied &&
         (address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127."));
}

std::optional<AbuseLimits::Refused> AbuseLimits::admit_message(std::string_view user) {
  RateTable::Verdict v;
  {
    std::lock_guard lock(mu_);
    v = smtp_users_.acquire(std::string(user), clock_.steady_now(), false);
  }
  if (v.ok()) return std::nullopt;
  return refused("smtp_messages", v.retry_after, "");
}

std::optional<AbuseLimits::Refused> AbuseLimits::login_blocked(LoginProtocol protocol,
                                                               std::string_view address,
                                                               bool proxied) {
  if (exempt(address, proxied)) return std::nullopt;
  std::optional<std::chrono::milliseconds> wait;
  {
    std::lock_guard lock(mu_);
    wait = failures_.blocked(std::string(address), clock_.steady_now());
  }
  if (!wait) return std::nullopt;
  login_delayed_[index_of(protocol)]->inc();
  return refused("auth_failures", *wait, "too many failed logins from this address");
}

void AbuseLimits::login_failed(LoginProtocol protocol, std::string_view address,
                               std::string_view user, bool proxied) {
  std::chrono::milliseconds delay{0};
  if (!exempt(address, proxied)) {
    std::lock_guard lock(mu_);
    delay = failures_.failed(std::string(address), clock_.steady_now());
  }
  login_failures_[index_of(protocol)]->inc();
  // The user name helps an operator tell a forgotten password from a
  // guesser; the secret is never logged.
  spdlog::warn("auth: failed {} login from {}{}{}; next attempt allowed in {} ms",
               kProtocols[index_of(protocol)], address, user.empty() ? "" : " as user ",
               user.substr(0, 64), delay.count());
}

void AbuseLimits::login_succeeded(std::string_view address) {
  std::lock_guard lock(mu_);
  failures_.succeeded(address);
}

}  // namespace postern::auth
