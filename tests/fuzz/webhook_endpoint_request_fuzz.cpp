// libFuzzer target: the body of POST /v1/webhook-endpoints
// (events/webhook_endpoint_request.h), outside input from any admin
// client. The invariants are the unit tests' own
// (tests/unit/events/webhook_endpoint_request_check.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/webhook_endpoint_request_check.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  postern::test::check_webhook_endpoint_request(input, [](bool ok, const char* what) {
    if (!ok) postern::fuzz::invariant_broken(what, __FILE__, __LINE__);
  });
  return 0;
}
