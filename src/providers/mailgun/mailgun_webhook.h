// Mailgun's event webhooks (docs/events.md, "Webhooks in"; facts in
// shared/provider-webhooks.md §1): one JSON event per request, signed by an
// HMAC-SHA256 of timestamp + token under the webhook signing key. The
// signature does not cover event-data, so a captured signature could carry
// other data: each token is taken once, and only while its timestamp is
// recent.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "providers/webhook.h"

namespace postern::providers::mailgun {

// How far a signature's timestamp may be from now.
inline constexpr std::chrono::seconds kMailgunMaxAge{600};
inline constexpr std::chrono::seconds kMailgunMaxAhead{300};

// The tokens of the signatures taken, each kept until its timestamp is too
// old to be taken anyway. Thread-safe. At most `capacity` are kept: when
// full, the oldest is forgotten and no timestamp at or before its own is
// taken any more, so a forgotten token can never be taken twice.
class MailgunTokenLog {
 public:
  explicit MailgunTokenLog(std::size_t capacity = 500000) : capacity_(capacity) {}

  enum class Verdict { fresh, replayed, stale, ahead };
  // Whether a signature of `timestamp` (Unix seconds) is recent; does not
  // remember anything.
  Verdict check_time(std::int64_t timestamp, SystemTime now) const;
  // Remembers `token` when it is new and its timestamp recent.
  Verdict admit(std::string_view token, std::int64_t timestamp, SystemTime now);
  std::size_t size() const;

 private:
  struct Key {
    std::uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.lo); }
  };
  Verdict time_verdict(std::int64_t timestamp, std::int64_t now) const;
  void expire(std::int64_t now);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  // Tokens are kept as 128 bits of their SHA-256 (50 characters each would
  // be four times the memory); in arrival order for expiry.
  std::unordered_set<Key, KeyHash> seen_;
  std::deque<std::pair<std::int64_t, Key>> order_;
  std::int64_t floor_ = INT64_MIN;  // timestamps at or before it are refused
};

struct MailgunWebhookSettings {
  std::string signing_key;  // the "HTTP webhook signing key"; empty: no webhook
};

// Checks the signature and the token, then reads event-data. Refusals:
// malformed, bad_signature, stale_timestamp, replayed.
WebhookResult parse_mailgun_webhook(const MailgunWebhookSettings& settings, MailgunTokenLog& tokens,
                                    const WebhookRequest& request);

class MailgunWebhook final : public Webhook {
 public:
  explicit MailgunWebhook(MailgunWebhookSettings settings) : settings_(std::move(settings)) {}
  // 406: Mailgun takes it as a rejection and stops retrying.
  int refusal_status() const override { return 406; }
  void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) override {
    done(parse_mailgun_webhook(settings_, tokens_, request));
  }

 private:
  MailgunWebhookSettings settings_;
  MailgunTokenLog tokens_;
};

}  // namespace postern::providers::mailgun
