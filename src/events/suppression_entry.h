// An entry of the suppression list as a person or a file gives it (the
// API, `postern suppressions add|import`): the address checked as intake
// checks recipients (core/address.h), a reason from the list's own, and
// the rest optional. docs/events.md, "Suppression list".
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/field_error.h"
#include "store/event_store.h"

namespace postern::events {

// The reasons an address is on the list: a hard bounce, a complaint, a
// provider's own list at send time (Postmark's inactive recipients), or a
// person's choice.
inline constexpr std::array<std::string_view, 4> kSuppressionReasons = {"bounced", "complained",
                                                                        "inactive", "manual"};
inline constexpr std::string_view kDefaultReason = "manual";

// The longest detail taken: as a provider event's (provider_event.h).
inline constexpr std::size_t kMaxSuppressionDetail = 1000;
inline constexpr std::size_t kMaxSuppressionProvider = 64;

// Checks an entry given from outside: the address (validate_address), the
// reason (empty becomes kDefaultReason), provider and detail bounded
// (refused, never clipped, so that what is accepted is kept as given). The
// error's field is the entry's ("address", "reason", ...).
Result<void, FieldError> check_suppression(store::Suppression& entry);

}  // namespace postern::events
