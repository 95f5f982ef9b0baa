// libFuzzer target: the Host header of a request for a test account's
// settings (inbox/client_settings.h), which becomes the host of its SMTP,
// IMAP, POP3 and web settings when the node listens on a wildcard address.
// Invariants beyond "no crash": what comes back holds only the characters
// of host names and IP addresses, and is what the settings and the web URL
// then carry.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "inbox/client_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::inbox;
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto host = host_of_header(header);
  for (char c : host) {
    FUZZ_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':');
  }
  ClientSettings wildcard;
  wildcard.smtp = endpoint_of("0.0.0.0:2525", 2525, false, true);
  wildcard.http = endpoint_of("[::]:8025", 8025, false, true);
  auto settings = for_client(wildcard, host);
  FUZZ_CHECK(settings.smtp.host == (host.empty() ? "localhost" : host));
  FUZZ_CHECK(web_url(settings.http).starts_with("http://"));
  return 0;
}
