// The seams between the webhook dispatcher (sim/app/, Asio) and the rest:
// the service hosts report accepted messages to a WebhookSink; the control
// API reads and changes the settings through WebhookControl.
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "sim/common/service_kind.h"
#include "sim/webhooks/webhook_format.h"
#include "sim/webhooks/webhook_spec.h"

namespace postern::sim {

class WebhookSink {
 public:
  virtual ~WebhookSink() = default;
  // A simulated API accepted this message. Thread-safe, never blocks on I/O.
  virtual void accepted(AcceptedMessage message) = 0;
};

class WebhookControl {
 public:
  virtual ~WebhookControl() = default;

  using Change = std::function<Result<WebhookSpec, Problem>(const WebhookSpec& current)>;
  // Applies change(current) to an HTTP service's settings; a new SES URL
  // sends a SubscriptionConfirmation first. Thread-safe.
  virtual Result<WebhookSpec, Problem> update(Service service, const Change& change) = 0;
  // Settings and counts of one service (SendGrid's public key, SNS's
  // subscription included).
  virtual boost::json::object status(Service service) const = 0;
  // The certificate the simulated SNS signs with (PEM).
  virtual std::string sns_certificate() const = 0;
  // A SubscribeURL was visited with this token: true when it is the
  // pending subscription's, which is then confirmed.
  virtual bool confirm_subscription(std::string_view token) = 0;
  // Zeroes the counts (POST /_sim/reset).
  virtual void reset_counts() = 0;
};

}  // namespace postern::sim
