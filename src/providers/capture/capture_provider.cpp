#include "providers/capture/capture_provider.h"

namespace postern::providers::capture {

void CaptureProvider::send(std::shared_ptr<const OutboundMessage> message,
                           std::function<void(SendResult)> done) {
  SendResult r;
  r.failure_class = FailureClass::ok;
  r.code = "captured";
  r.provider_message_id = message->id_string();
  done(std::move(r));
}

void CaptureProvider::probe(std::function<void(ProbeResult)> done) {
  done(ProbeResult{true, FailureClass::ok, "", {}});
}

Result<std::unique_ptr<Provider>, ConfigError> CaptureFactory::create(const ProviderConfig& config,
                                                                      ProviderContext&) const {
  for (const auto& [key, _] : config.settings) {
    return ConfigError{config.key_path + "." + key, "unknown key for a capture provider"};
  }
  return std::unique_ptr<Provider>(std::make_unique<CaptureProvider>(config.name));
}

}  // namespace postern::providers::capture
