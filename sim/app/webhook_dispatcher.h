// Sends the simulated providers' event webhooks (sim/webhooks/) through
// Postern's HTTP client: per service one lane whose requests leave one at a
// time, each message's after its delay, in the configured order, some
// twice; failures are retried on their own timers. SES's lane holds its
// notifications until the SNS subscription is confirmed, as SNS does.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "net/io_runtime.h"
#include "sim/webhooks/webhook_control.h"
#include "sim/webhooks/webhook_keys.h"

namespace postern::net {
class HttpClient;
}

namespace postern::sim {

class WebhookDispatcher final : public WebhookSink, public WebhookControl {
 public:
  // `sendgrid_key_pem`: SendGrid's private key, "" to generate one.
  // Errors: the key is unusable, key generation failed.
  static Result<std::unique_ptr<WebhookDispatcher>, Problem> create(
      net::IoRuntime& io, const std::array<WebhookSpec, kServiceCount>& initial,
      const std::string& sendgrid_key_pem, std::uint64_t seed);
  ~WebhookDispatcher() override;

  // "http://HOST:PORT/_sim/sns", once the control API listens; before the
  // first SES webhook.
  void set_sns_base_url(std::string url);
  // Sends the pending SES subscription confirmation (after start).
  void start();
  // No more sends; callbacks still in flight do nothing.
  void stop();

  // WebhookSink
  void accepted(AcceptedMessage message) override;
  // WebhookControl
  Result<WebhookSpec, Problem> update(Service service, const Change& change) override;
  boost::json::object status(Service service) const override;
  std::string sns_certificate() const override { return sns_.certificate_pem(); }
  bool confirm_subscription(std::string_view token) override;
  void reset_counts() override;

  struct Lane;
  struct Delivery;

 private:
  WebhookDispatcher(net::IoRuntime& io, std::unique_ptr<net::HttpClient> client,
                    EcSigningKey sendgrid, SnsSigningKey sns, std::uint64_t seed);

  void subscribe(Lane& lane);  // lane.mu held
  // Moves the held requests to the queue, in spec.order, once spec.hold
  // of them wait (lane.mu held).
  void release_held(Lane& lane);
  void pump(Lane& lane);
  void attempt(Lane& lane, std::shared_ptr<Delivery> delivery, bool from_queue);
  void finished(Lane& lane, const std::shared_ptr<Delivery>& delivery, int status, bool from_queue);
  void after(std::chrono::milliseconds delay, std::function<void()> work);
  double draw();

  net::IoRuntime& io_;
  std::unique_ptr<net::HttpClient> client_;
  EcSigningKey sendgrid_;
  SnsSigningKey sns_;
  IdSource ids_;
  std::string sns_base_url_;
  std::array<std::unique_ptr<Lane>, kServiceCount> lanes_;
  std::shared_ptr<std::atomic<bool>> alive_;
};

}  // namespace postern::sim
