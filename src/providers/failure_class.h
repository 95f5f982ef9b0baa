// Every provider answer maps to one of four classes (docs/providers.md,
// "Failure classes"); the dispatcher and the health checks act on the class alone.
#pragma once

#include <optional>
#include <string_view>

namespace postern::providers {

enum class FailureClass {
  ok,             // accepted by the provider
  transient,      // timeout, 5xx, 429: retry later, preferably elsewhere
  provider_down,  // refused connection, bad credentials, suspended account: eject, fail over
  permanent,      // this message can never go out (bad recipient, rejected content)
};

std::string_view to_string(FailureClass c);
std::optional<FailureClass> parse_failure_class(std::string_view s);

}  // namespace postern::providers
