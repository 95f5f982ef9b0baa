#include "events/suppression_entry.h"

#include <algorithm>

#include "core/address.h"
#include "core/utf8.h"

namespace postern::events {

Result<void, FieldError> check_suppression(store::Suppression& entry) {
  if (entry.address.empty()) {
    return FieldError{"missing_field", "address is required", "address"};
  }
  if (auto bad = validate_address(entry.address); !bad) {
    return FieldError{"invalid_address", "address '" + entry.address + "': " + bad.error().reason,
                      "address"};
  }
  if (entry.reason.empty()) entry.reason = kDefaultReason;
  if (std::find(kSuppressionReasons.begin(), kSuppressionReasons.end(), entry.reason) ==
      kSuppressionReasons.end()) {
    return FieldError{
        "invalid_value",
        "reason must be bounced, complained, inactive or manual, not '" + entry.reason + "'",
        "reason"};
  }
  if (entry.provider.size() > kMaxSuppressionProvider || !is_valid_utf8(entry.provider)) {
    return FieldError{
        "invalid_value",
        "provider must be UTF-8 of at most " + std::to_string(kMaxSuppressionProvider) + " bytes",
        "provider"};
  }
  // Refused rather than clipped: what is accepted is kept as given, so an
  // export imports back unchanged.
  if (entry.detail.size() > kMaxSuppressionDetail || !is_valid_utf8(entry.detail)) {
    return FieldError{
        "invalid_value",
        "detail must be UTF-8 of at most " + std::to_string(kMaxSuppressionDetail) + " bytes",
        "detail"};
  }
  return {};
}

}  // namespace postern::events
