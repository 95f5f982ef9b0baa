// libFuzzer target: the SNS envelope (its string to sign, the URL rules)
// and the SES notification inside it. The signature itself is the RSA
// check of OpenSSL; what is fuzzed is every parse in front of and behind it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "providers/ses/ses_notification.h"
#include "providers/ses/sns_message.h"
#include "webhook_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::providers::ses;
  std::string input(reinterpret_cast<const char*>(data), size);
  const postern::SystemTime now{std::chrono::seconds(1770920772)};
  auto message = parse_sns_message(input);
  if (message) {
    auto text = sns_string_to_sign(*message);
    FUZZ_CHECK(text.find("Type\n" + message->type + "\n") != std::string::npos);
    SnsHostRules rules{{"127.0.0.1", "certs.example"}};
    auto url = check_sns_url(rules, message->signing_cert_url, "SigningCertURL");
    if (url && url->amazon) FUZZ_CHECK(message->signing_cert_url.size() > 8);
    postern::fuzz::check_webhook_result(parse_ses_notification(message->message, "id", now));
  } else {
    FUZZ_CHECK(!message.error().reason.empty());
  }
  auto r = parse_ses_notification(input, "sns-id", now);
  postern::fuzz::check_webhook_result(r);
  if (r) {
    for (const auto& e : r->events) FUZZ_CHECK(e.dedupe_key == "sns-id/" + e.recipient);
  }
  return 0;
}
