#include "providers/failure_class.h"

namespace postern::providers {

std::string_view to_string(FailureClass c) {
  switch (c) {
    case FailureClass::ok:
      return "ok";
    case FailureClass::transient:
      return "transient";
    case FailureClass::provider_down:
      return "provider_down";
    case FailureClass::permanent:
      return "permanent";
  }
  return "unknown";
}

std::optional<FailureClass> parse_failure_class(std::string_view s) {
  for (auto c : {FailureClass::ok, FailureClass::transient, FailureClass::provider_down,
                 FailureClass::permanent}) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

}  // namespace postern::providers
