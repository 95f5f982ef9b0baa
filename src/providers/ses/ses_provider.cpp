#include "providers/ses/ses_provider.h"

#include <algorithm>
#include <cctype>

#include "providers/common/http_call.h"
#include "providers/common/message_parts.h"
#include "providers/common/settings.h"

namespace postern::providers::ses {

namespace {

Result<SesWebhookSettings, ConfigError> read_webhook_settings(const common::ProviderSettings& s) {
  SesWebhookSettings out;
  out.topic_arn = s.text("webhook_topic_arn");
  if (!out.topic_arn.empty() &&
      (!out.topic_arn.starts_with("arn:aws") || out.topic_arn.find(":sns:") == std::string::npos))
    return s.error("webhook_topic_arn",
                   "expected an SNS topic ARN such as "
                   "arn:aws:sns:us-east-1:123456789012:ses-events, got '" +
                       out.topic_arn + "'");
  std::string hosts = s.text("webhook_cert_hosts");
  if (!hosts.empty() && out.topic_arn.empty())
    return s.error("webhook_cert_hosts", "needs webhook_topic_arn (it is the webhook's)");
  std::size_t start = 0;
  while (start <= hosts.size() && !hosts.empty()) {
    auto end = std::min(hosts.find(',', start), hosts.size());
    std::string host = hosts.substr(start, end - start);
    host.erase(0, host.find_first_not_of(' '));
    host.erase(host.find_last_not_of(' ') + 1);
    if (host.empty() || host.find_first_of("/:@") != std::string::npos)
      return s.error(
          "webhook_cert_hosts",
          "expected host names separated by commas (no scheme, port or path), got '" + hosts + "'");
    out.hosts.extra_hosts.push_back(std::move(host));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<SesSettings, ConfigError> read_ses_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok = s.only({"access_key_id", "secret_access_key", "session_token", "region", "endpoint",
                        "configuration_set", "timeout", "webhook_topic_arn", "webhook_cert_hosts"});
      !ok) {
    return ok.error();
  }
  SesSettings out;
  auto key_id = s.required("access_key_id");
  if (!key_id) return key_id.error();
  auto secret = s.required("secret_access_key");
  if (!secret) return secret.error();
  auto region = s.required("region");
  if (!region) return region.error();
  bool valid_region = std::all_of(region->begin(), region->end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!valid_region)
    return s.error("region", "expected an AWS region such as us-east-1, got '" + *region + "'");
  out.credentials = {*key_id, *secret, s.text("session_token")};
  out.region = *region;
  // The host says "email", the signature says "ses".
  auto endpoint = s.base_url("endpoint", "https://email." + out.region + ".amazonaws.com");
  if (!endpoint) return endpoint.error();
  out.endpoint = *endpoint;
  out.configuration_set = s.text("configuration_set");
  auto timeout = s.duration("timeout", out.timeout);
  if (!timeout) return timeout.error();
  out.timeout = *timeout;
  auto webhook = read_webhook_settings(s);
  if (!webhook) return webhook.error();
  out.webhook = std::move(*webhook);
  return out;
}

SesProvider::SesProvider(std::string name, SesSettings settings, ProviderContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      http_(context.http),
      clock_(context.clock),
      requests_(context.requests) {
  if (!settings_.webhook.topic_arn.empty()) {
    webhook_ = std::make_shared<SesWebhook>(
        settings_.webhook,
        [&http = http_](net::HttpClientRequest request,
                        std::function<void(Result<net::HttpClientResponse>)> done) {
          http.send(std::move(request), std::move(done));
        });
  }
}

void SesProvider::send(std::shared_ptr<const OutboundMessage> message,
                       std::function<void(SendResult)> done) {
  // As SendGrid's: built (and signed, with the time then) once the budget
  // has room for it.
  auto estimate = common::encoded_body_estimate(message->content().size());
  common::send_budgeted(
      requests_, estimate, http_, clock_,
      [this, message]() -> Result<net::HttpClientRequest, SendResult> {
        auto request = build_ses_send(settings_, *message, clock_.now());
        if (!request) return common::unreadable_message(request.error());
        return std::move(*request);
      },
      classify_ses_send, std::move(done));
}

void SesProvider::probe(std::function<void(ProbeResult)> done) {
  common::probe_classified(http_, clock_, build_ses_probe(settings_, clock_.now()),
                           classify_ses_probe, std::move(done));
}

Result<std::unique_ptr<Provider>, ConfigError> SesFactory::create(const ProviderConfig& config,
                                                                  ProviderContext& context) const {
  auto settings = read_ses_settings(config);
  if (!settings) return settings.error();
  return std::unique_ptr<Provider>(
      std::make_unique<SesProvider>(config.name, std::move(*settings), context));
}

}  // namespace postern::providers::ses
