// libFuzzer target: Mailgun's webhook parser. The input is tried as the
// whole body (the signature then rarely holds) and as the event-data of a
// request signed here, since Mailgun's signature does not cover event-data:
// that parsing is reached by anyone holding one genuine signature.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/hex.h"
#include "core/sha256.h"
#include "providers/mailgun/mailgun_webhook.h"
#include "webhook_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::providers;
  static mailgun::MailgunTokenLog tokens(1024);
  static std::uint64_t n = 0;
  const mailgun::MailgunWebhookSettings settings{"fuzz-key"};
  const postern::SystemTime now{std::chrono::seconds(1770920772)};
  const postern::net::HttpHeaders headers;
  std::string input(reinterpret_cast<const char*>(data), size);
  postern::fuzz::check_webhook_result(
      mailgun::parse_mailgun_webhook(settings, tokens, {headers, input, now}));

  std::string token = "token-" + std::to_string(n++);
  std::string ts = "1770920772";
  std::string body = R"({"signature":{"token":")" + token + R"(","timestamp":")" + ts +
                     R"(","signature":")" +
                     postern::to_hex(postern::hmac_sha256("fuzz-key", ts + token)) +
                     R"("},"event-data":)" + input + "}";
  auto r = mailgun::parse_mailgun_webhook(settings, tokens, {headers, body, now});
  postern::fuzz::check_webhook_result(r);
  if (r) {
    FUZZ_CHECK(r->events.size() <= 1);
    for (const auto& e : r->events) FUZZ_CHECK(e.dedupe_key == token);
  }
  return 0;
}
