#include "routing_harness.h"

namespace postern::routing::test {

providers::SendResult answer(providers::FailureClass c, std::string code,
                             std::optional<std::chrono::milliseconds> retry_after) {
  providers::SendResult r;
  r.failure_class = c;
  r.code = code.empty() ? std::string(c == providers::FailureClass::ok ? "200" : "503")
                        : std::move(code);
  r.retry_after = retry_after;
  r.latency = std::chrono::microseconds(1000);
  return r;
}

}  // namespace postern::routing::test
