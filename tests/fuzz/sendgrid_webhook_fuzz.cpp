// libFuzzer target: SendGrid's webhook parser. Each input is signed here
// with a P-256 key made once (tests/unit/providers/webhook_crypto.h), so
// the batch parsing behind the signature is reached; the same input with
// one byte more must then fail the signature.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base64.h"
#include "providers/sendgrid/sendgrid_webhook.h"
#include "providers/webhook_crypto.h"
#include "webhook_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::providers;
  static const auto key = postern::test::TestKey::ec("P-256");
  static const auto verifier = sendgrid::SendGridWebhookKey::parse(key.public_der_base64()).value();
  const postern::SystemTime now{std::chrono::seconds(1770920772)};
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string ts = "1770920772";
  postern::net::HttpHeaders headers{
      {"X-Twilio-Email-Event-Webhook-Timestamp", ts},
      {"X-Twilio-Email-Event-Webhook-Signature", postern::base64_encode(key.sign(ts + body))}};
  postern::fuzz::check_webhook_result(
      sendgrid::parse_sendgrid_webhook(*verifier, {headers, body, now}));
  std::string longer = body + " ";
  FUZZ_CHECK(!sendgrid::parse_sendgrid_webhook(*verifier, {headers, longer, now}));
  return 0;
}
