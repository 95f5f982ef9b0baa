#include "providers/sendgrid/sendgrid_provider.h"

#include "providers/common/http_call.h"
#include "providers/common/message_parts.h"
#include "providers/common/settings.h"

namespace postern::providers::sendgrid {

Result<SendGridSettings, ConfigError> read_sendgrid_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok = s.only({"api_key", "base_url", "timeout", "sandbox_mode", "webhook_public_key"});
      !ok)
    return ok.error();
  SendGridSettings out;
  auto api_key = s.required("api_key");
  if (!api_key) return api_key.error();
  out.api_key = *api_key;
  // EU regional subusers call the EU host.
  auto base_url =
      s.base_url("base_url", "global",
                 {{"global", "https://api.sendgrid.com"}, {"eu", "https://api.eu.sendgrid.com"}});
  if (!base_url) return base_url.error();
  out.base_url = *base_url;
  auto timeout = s.duration("timeout", out.timeout);
  if (!timeout) return timeout.error();
  out.timeout = *timeout;
  auto sandbox = s.flag("sandbox_mode", false);
  if (!sandbox) return sandbox.error();
  out.sandbox_mode = *sandbox;
  if (s.has("webhook_public_key")) {
    auto key = SendGridWebhookKey::parse(s.text("webhook_public_key"));
    if (!key) return s.error("webhook_public_key", key.error().message);
    out.webhook_key = *key;
  }
  return out;
}

SendGridProvider::SendGridProvider(std::string name, SendGridSettings settings,
                                   ProviderContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      http_(context.http),
      clock_(context.clock),
      requests_(context.requests) {
  if (settings_.webhook_key) webhook_ = std::make_shared<SendGridWebhook>(settings_.webhook_key);
}

void SendGridProvider::send(std::shared_ptr<const OutboundMessage> message,
                            std::function<void(SendResult)> done) {
  // The body is built once the budget has room for it (the provider lives
  // until the send is answered: its router slot is held until then).
  auto estimate = common::encoded_body_estimate(message->content().size());
  common::send_budgeted(
      requests_, estimate, http_, clock_,
      [this, message]() -> Result<net::HttpClientRequest, SendResult> {
        auto request = build_sendgrid_send(settings_, *message);
        if (!request) return common::unreadable_message(request.error());
        return std::move(*request);
      },
      classify_sendgrid_send, std::move(done));
}

void SendGridProvider::probe(std::function<void(ProbeResult)> done) {
  common::probe_classified(http_, clock_, build_sendgrid_probe(settings_), classify_sendgrid_probe,
                           std::move(done));
}

Result<std::unique_ptr<Provider>, ConfigError> SendGridFactory::create(
    const ProviderConfig& config, ProviderContext& context) const {
  auto settings = read_sendgrid_settings(config);
  if (!settings) return settings.error();
  return std::unique_ptr<Provider>(
      std::make_unique<SendGridProvider>(config.name, std::move(*settings), context));
}

}  // namespace postern::providers::sendgrid
