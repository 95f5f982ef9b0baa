// What every provider test needs: a running I/O runtime with the shared
// HTTP client, a fake clock, sample messages (JSON and raw, non-ASCII,
// attachments), a multipart reader, and blocking send/probe calls.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/message.h"
#include "net/http_client.h"
#include "net/io_runtime.h"
#include "providers/provider.h"
#include "providers/provider_config.h"
#include "providers/provider_context.h"
#include "providers/provider_factory.h"
#include "support/fake_clock.h"

namespace postern::providers::test_support {

class ProviderHarness {
 public:
  ProviderHarness();
  ~ProviderHarness();

  ProviderContext& context() { return context_; }
  postern::test::FakeClock& clock() { return clock_; }
  net::HttpClient& http() { return *http_; }

  // The provider `factory` makes from `settings` (its type's own keys);
  // nullptr, and a failed test, when the factory refuses them.
  std::unique_ptr<Provider> create(const ProviderFactory& factory,
                                   std::map<std::string, std::string> settings);

  // Blocks until the provider answers (fails the test after 10 s).
  SendResult send(Provider& provider, std::shared_ptr<const OutboundMessage> message);
  ProbeResult probe(Provider& provider);

 private:
  net::IoRuntime io_{1};
  postern::test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<net::HttpClient> http_;
  ProviderContext context_;
};

ProviderConfig provider_config(const std::string& type,
                               std::map<std::string, std::string> settings);

// A structured message with everything a provider maps: non-ASCII subject,
// names and bodies, Cc, Bcc, Reply-To, a custom header, an attachment with
// binary content and a non-ASCII file name, an inline image, metadata.
Message sample_message();
// Its id as users see it: "0" followed by the base32 of 1.
constexpr std::uint64_t kSampleId = 1;

std::shared_ptr<const OutboundMessage> json_message(const Message& message,
                                                    std::vector<std::string> tags = {});
std::shared_ptr<const OutboundMessage> raw_message(std::string raw, Envelope envelope,
                                                   std::vector<std::string> tags = {});
// A raw RFC 5322 message (text and html, an attachment, non-ASCII subject
// and name as encoded-words) and its envelope, which has a Bcc recipient
// that the header does not show.
std::string sample_raw_message();
Envelope sample_raw_envelope();

struct FormPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string content;
  bool is_file = false;
};
// Reads a multipart/form-data body (RFC 7578); the boundary from the
// Content-Type value.
std::vector<FormPart> parse_form(const std::string& content_type, const std::string& body);
std::vector<std::string> form_values(const std::vector<FormPart>& parts, const std::string& name);

}  // namespace postern::providers::test_support
