// The built-in capture provider: accepts every message at once and keeps it
// (the store holds the content; the test inbox builds on this). With no
// provider configured, all mail goes here, so `make run` is a local catcher.
#pragma once

#include "providers/provider_factory.h"

namespace postern::providers::capture {

class CaptureProvider final : public Provider {
 public:
  explicit CaptureProvider(std::string name) : name_(std::move(name)) {}

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "capture"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;

 private:
  std::string name_;
};

class CaptureFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "capture"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::capture
