// libFuzzer target: Postmark's webhook parser behind its credentials
// (Postmark signs nothing: the body is parsed once the Basic login holds).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base64.h"
#include "providers/postmark/postmark_webhook.h"
#include "webhook_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::providers;
  const postmark::PostmarkWebhookSettings settings{"user", "password"};
  const postern::SystemTime now{std::chrono::seconds(1770920772)};
  std::string body(reinterpret_cast<const char*>(data), size);
  postern::net::HttpHeaders good{
      {"Authorization", "Basic " + postern::base64_encode("user:password")}};
  auto r = postmark::parse_postmark_webhook(settings, {good, body, now});
  postern::fuzz::check_webhook_result(r);
  if (r) FUZZ_CHECK(r->events.size() + r->ignored == 1);
  // Another password never passes.
  postern::net::HttpHeaders other{
      {"Authorization", "Basic " + postern::base64_encode("user:" + body)}};
  FUZZ_CHECK(body == "password" || !postmark::parse_postmark_webhook(settings, {other, body, now}));
  return 0;
}
