#include "providers/mailgun/mailgun_provider.h"

#include <algorithm>
#include <cctype>

#include "providers/common/http_call.h"
#include "providers/common/message_parts.h"
#include "providers/common/settings.h"

namespace postern::providers::mailgun {

Result<MailgunSettings, ConfigError> read_mailgun_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok =
          s.only({"api_key", "domain", "base_url", "timeout", "test_mode", "webhook_signing_key"});
      !ok)
    return ok.error();
  MailgunSettings out;
  auto api_key = s.required("api_key");
  if (!api_key) return api_key.error();
  out.api_key = *api_key;
  auto domain = s.required("domain");
  if (!domain) return domain.error();
  // It goes into the URL path as is.
  bool valid_domain = std::all_of(domain->begin(), domain->end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
  if (!valid_domain)
    return s.error("domain",
                   "expected a domain name such as mg.example.com, got '" + *domain + "'");
  out.domain = *domain;
  // A domain lives in one region and must be called there.
  auto base_url = s.base_url(
      "base_url", "us", {{"us", "https://api.mailgun.net"}, {"eu", "https://api.eu.mailgun.net"}});
  if (!base_url) return base_url.error();
  out.base_url = *base_url;
  auto timeout = s.duration("timeout", out.timeout);
  if (!timeout) return timeout.error();
  out.timeout = *timeout;
  auto test_mode = s.flag("test_mode", false);
  if (!test_mode) return test_mode.error();
  out.test_mode = *test_mode;
  out.webhook.signing_key = s.text("webhook_signing_key");
  return out;
}

MailgunProvider::MailgunProvider(std::string name, MailgunSettings settings,
                                 ProviderContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      http_(context.http),
      clock_(context.clock) {
  if (!settings_.webhook.signing_key.empty())
    webhook_ = std::make_shared<MailgunWebhook>(settings_.webhook);
}

void MailgunProvider::send(std::shared_ptr<const OutboundMessage> message,
                           std::function<void(SendResult)> done) {
  auto request = build_mailgun_send(settings_, *message);
  if (!request) {
    done(common::unreadable_message(request.error()));
    return;
  }
  common::send_classified(http_, clock_, std::move(*request), classify_mailgun_send,
                          std::move(done));
}

void MailgunProvider::probe(std::function<void(ProbeResult)> done) {
  common::probe_classified(http_, clock_, build_mailgun_probe(settings_), classify_mailgun_probe,
                           std::move(done));
}

Result<std::unique_ptr<Provider>, ConfigError> MailgunFactory::create(
    const ProviderConfig& config, ProviderContext& context) const {
  auto settings = read_mailgun_settings(config);
  if (!settings) return settings.error();
  return std::unique_ptr<Provider>(
      std::make_unique<MailgunProvider>(config.name, std::move(*settings), context));
}

}  // namespace postern::providers::mailgun
