#include "providers/postmark/postmark_provider.h"

#include "providers/common/http_call.h"
#include "providers/common/message_parts.h"
#include "providers/common/settings.h"

namespace postern::providers::postmark {

Result<PostmarkSettings, ConfigError> read_postmark_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok = s.only({"api_key", "base_url", "message_stream", "timeout", "webhook_username",
                        "webhook_password"});
      !ok)
    return ok.error();
  PostmarkSettings out;
  auto token = s.required("api_key");
  if (!token) return token.error();
  out.server_token = *token;
  auto base_url = s.base_url("base_url", out.base_url);
  if (!base_url) return base_url.error();
  out.base_url = *base_url;
  out.message_stream = s.text("message_stream");
  auto timeout = s.duration("timeout", out.timeout);
  if (!timeout) return timeout.error();
  out.timeout = *timeout;
  out.webhook = {s.text("webhook_username"), s.text("webhook_password")};
  // Either alone would let anyone in with an empty one.
  if (out.webhook.username.empty() != out.webhook.password.empty())
    return s.error(out.webhook.username.empty() ? "webhook_username" : "webhook_password",
                   "webhook_username and webhook_password go together");
  return out;
}

PostmarkProvider::PostmarkProvider(std::string name, PostmarkSettings settings,
                                   ProviderContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      http_(context.http),
      clock_(context.clock),
      requests_(context.requests) {
  if (!settings_.webhook.username.empty())
    webhook_ = std::make_shared<PostmarkWebhook>(settings_.webhook);
}

void PostmarkProvider::send(std::shared_ptr<const OutboundMessage> message,
                            std::function<void(SendResult)> done) {
  // As SendGrid's: built once the budget has room for it.
  auto estimate = common::encoded_body_estimate(message->content().size());
  auto build = [this, message]() -> Result<net::HttpClientRequest, SendResult> {
    auto request = build_postmark_send(settings_, *message);
    if (request) return std::move(*request);
    if (request.error() == Errc::invalid_argument) {
      // Bcc-only mail: Postmark requires a To. Not this provider's fault and
      // maybe not the message's: transient lets it try elsewhere first.
      SendResult r;
      r.failure_class = FailureClass::transient;
      r.code = "unsupported_recipients";
      r.detail =
          "Postmark needs a To or Cc recipient; Bcc-only mail must go through another provider";
      return r;
    }
    return common::unreadable_message(request.error());
  };
  auto classify = [message](const net::HttpClientResponse& response, SystemTime now) {
    return leave_out_inactive(classify_postmark_send(response, now), message->envelope());
  };
  common::send_budgeted(requests_, estimate, http_, clock_, std::move(build), std::move(classify),
                        std::move(done));
}

void PostmarkProvider::probe(std::function<void(ProbeResult)> done) {
  common::probe_classified(http_, clock_, build_postmark_probe(settings_), classify_postmark_probe,
                           std::move(done));
}

Result<std::unique_ptr<Provider>, ConfigError> PostmarkFactory::create(
    const ProviderConfig& config, ProviderContext& context) const {
  auto settings = read_postmark_settings(config);
  if (!settings) return settings.error();
  return std::unique_ptr<Provider>(
      std::make_unique<PostmarkProvider>(config.name, std::move(*settings), context));
}

}  // namespace postern::providers::postmark
