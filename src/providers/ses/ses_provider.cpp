#include "providers/ses/ses_provider.h"

#include <algorithm>
#include <cctype>

#include "providers/common/http_call.h"
#include "providers/common/message_parts.h"
#include "providers/common/settings.h"

namespace postern::providers::ses {

Result<SesSettings, ConfigError> read_ses_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok = s.only({"access_key_id", "secret_access_key", "session_token", "region", "endpoint",
                        "configuration_set", "timeout"});
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
  return out;
}

SesProvider::SesProvider(std::string name, SesSettings settings, ProviderContext& context)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      http_(context.http),
      clock_(context.clock) {}

void SesProvider::send(std::shared_ptr<const OutboundMessage> message,
                       std::function<void(SendResult)> done) {
  auto request = build_ses_send(settings_, *message, clock_.now());
  if (!request) {
    done(common::unreadable_message(request.error()));
    return;
  }
  common::send_classified(http_, clock_, std::move(*request), classify_ses_send, std::move(done));
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
