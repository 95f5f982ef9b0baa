// The Provider interface: one upstream that can take mail (Mailgun, SendGrid,
// SES, Postmark, an SMTP relay, the local capture). A new provider is one
// folder under src/providers/ plus one line in registry.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/failure_class.h"
#include "providers/outbound_message.h"
#include "providers/webhook.h"

namespace postern::providers {

// The code of a SendResult for a stored message that cannot be decoded: the
// dispatcher quarantines it instead of retrying (Postfix's "corrupt" queue).
inline constexpr std::string_view kCorruptMessageCode = "corrupt_message";

// A provider's answer to one send, as data (never an exception). Its texts
// (code, detail, provider_message_id) are valid UTF-8 whatever the provider
// sent (clip_utf8, core/utf8.h): events and the API serve them as JSON. The
// dispatcher bounds their length when it records them.
struct SendResult {
  FailureClass failure_class = FailureClass::transient;
  std::string
      code;  // the provider's own code: "202", "550 5.1.1", "MessageRejected", "ErrorCode 406"
  std::string detail;  // human-readable reason, from the provider's body where it has one
  // How long the provider asked us to wait (429 Retry-After, X-RateLimit-Reset,
  // Mailgun "try again after"), when it said.
  std::optional<std::chrono::milliseconds> retry_after;
  // The provider asked to slow down (a rate limit), whether or not it said
  // for how long: the router pauses that provider rather than counting a
  // fault. Set by providers whose throttle answers have their own codes
  // (SES TooManyRequestsException, Postmark ErrorCode 429).
  bool throttled = false;
  std::string provider_message_id;
  std::chrono::microseconds latency{0};
  // A send that reached some recipients and must be retried for others
  // (an SMTP relay deferring one recipient of several): the recipients this
  // attempt is done with, delivered or refused for good. The retry leaves
  // them out, so nobody gets the message twice. Empty otherwise.
  std::vector<std::string> settled_recipients;
  // Of settled_recipients, those refused for good (5xx at RCPT, Postmark's
  // inactive ones). A manual retry tries them again, while the ones that
  // have the message stay left out.
  std::vector<std::string> refused_recipients;
  // Recipients the provider refused because its own suppression list holds
  // them (Postmark's inactive recipients, ErrorCode 406), whether or not
  // the message has others: the dispatcher puts them on Postern's
  // suppression list (reason `inactive`).
  std::vector<std::string> inactive_recipients;
};

// The answer to a cheap authenticated health call.
struct ProbeResult {
  bool healthy = false;
  FailureClass failure_class = FailureClass::ok;  // why not, when unhealthy
  std::string detail;
  std::chrono::microseconds latency{0};
};

class Provider {
 public:
  virtual ~Provider() = default;

  // The configured name (unique) and the type ("mailgun", ...).
  virtual const std::string& name() const = 0;
  virtual std::string_view type() const = 0;

  // Sends one message. `done` is called exactly once, from any thread, with
  // the classified answer; it must not block. A send never throws. Cancelled
  // sends (shutdown) answer transient.
  virtual void send(std::shared_ptr<const OutboundMessage> message,
                    std::function<void(SendResult)> done) = 0;

  // A cheap authenticated call that tells whether sending would work
  // (docs/providers.md gives each type's under "Probe"). Same threading
  // as send().
  virtual void probe(std::function<void(ProbeResult)> done) = 0;

  // The largest message this provider accepts, in bytes of MIME; 0 for no
  // limit. Larger messages are routed elsewhere rather than sent to fail.
  virtual std::size_t max_message_bytes() const { return 0; }
  // The most recipients per message; 0 for no limit.
  virtual std::size_t max_recipients() const { return 0; }

  // The provider's event webhook (docs/events.md, "Webhooks in"), when its
  // settings configure one; null otherwise (POST /v1/webhooks/{name} is
  // then a 404). Shared: a request being checked keeps it alive.
  virtual std::shared_ptr<Webhook> webhook() const { return nullptr; }
};

}  // namespace postern::providers
