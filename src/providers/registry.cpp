#include "providers/registry.h"

#include "providers/capture/capture_provider.h"
#include "providers/mailgun/mailgun_provider.h"
#include "providers/postmark/postmark_provider.h"
#include "providers/sendgrid/sendgrid_provider.h"
#include "providers/ses/ses_provider.h"
#include "providers/smtp/smtp_provider.h"

namespace postern::providers {

void ProviderRegistry::add(std::unique_ptr<ProviderFactory> factory) {
  std::string type(factory->type());
  factories_[type] = std::move(factory);
}

const ProviderFactory* ProviderRegistry::find(std::string_view type) const {
  auto it = factories_.find(type);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ProviderRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, _] : factories_) out.push_back(type);
  return out;
}

Result<std::unique_ptr<Provider>, ConfigError> ProviderRegistry::create(
    const ProviderConfig& config, ProviderContext& context) const {
  const auto* factory = find(config.type);
  if (!factory) {
    std::string known;
    for (const auto& t : types()) known += (known.empty() ? "" : ", ") + t;
    return ConfigError{config.key_path + ".type",
                       "unknown provider type '" + config.type + "' (known: " + known + ")"};
  }
  return factory->create(config, context);
}

void register_builtin_providers(ProviderRegistry& registry) {
  registry.add(std::make_unique<capture::CaptureFactory>());
  registry.add(std::make_unique<mailgun::MailgunFactory>());
  registry.add(std::make_unique<sendgrid::SendGridFactory>());
  registry.add(std::make_unique<ses::SesFactory>());
  registry.add(std::make_unique<postmark::PostmarkFactory>());
  registry.add(std::make_unique<smtp::SmtpRelayFactory>());
}

}  // namespace postern::providers
