// The built-in capture provider: files every message it is given into the
// test inbox (InboxSink) instead of sending it anywhere. With no provider
// configured, all mail goes here, so `make run` is a local catcher; mail
// sent with a test account's credentials comes here whatever the routing
// says (the dispatcher's catch_with). Without a sink it only acknowledges.
#pragma once

#include "providers/inbox_sink.h"
#include "providers/provider_factory.h"

namespace postern::providers::capture {

class CaptureProvider final : public Provider {
 public:
  CaptureProvider(std::string name, InboxSink* inbox) : name_(std::move(name)), inbox_(inbox) {}

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "capture"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;

 private:
  std::string name_;
  InboxSink* inbox_;
};

// What the filings of one message mean for its attempt: sent when any
// account took it (the detail names those that did not), permanent when
// every one refused (over quota, account gone: retrying cannot help),
// transient when the inbox could not store it at all.
SendResult capture_result(const std::string& message_id,
                          const Result<std::vector<InboxFiling>>& filed);

class CaptureFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "capture"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::capture
