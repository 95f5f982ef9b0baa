// What every provider's webhook parser needs: refusals, constant-time
// secret comparison, and lenient reads of JSON members whose type the
// provider may change (a number sent as a string, an absent object).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "providers/webhook.h"

namespace postern::providers::common {

// The longest detail an event keeps (events/provider_event.h).
inline constexpr std::size_t kEventDetailBytes = 1000;

WebhookRefusal webhook_refusal(std::string reason, std::string message);

// The request body is not what the provider sends.
WebhookRefusal malformed_webhook(std::string message);

// Whether two secrets are equal, in time that depends on neither's
// content nor length (both are hashed first, then compared with
// CRYPTO_memcmp), so a guesser learns nothing from timing.
bool secrets_equal(std::string_view a, std::string_view b);

// The body as a JSON value; nullopt when it is not JSON.
std::optional<boost::json::value> parse_json(std::string_view body);

// The object member `key`, or null when absent or not an object.
const boost::json::object* object_member(const boost::json::object& object, std::string_view key);
// The string member `key`; "" when absent or not a string.
std::string_view text_member(const boost::json::object& object, std::string_view key);
// A member holding seconds since the epoch, as a number or a numeric
// string ("1770920772", 1534110422.389832); nullopt when absent, not a
// number, or outside what SystemTime holds.
std::optional<SystemTime> unix_time_member(const boost::json::object& object, std::string_view key);
// An RFC 3339 time member ("2026-11-23T17:42:38.123Z"); nullopt when absent
// or not one.
std::optional<SystemTime> rfc3339_member(const boost::json::object& object, std::string_view key);

// The provider's reason as an event keeps it: valid UTF-8, at most
// kEventDetailBytes (core/utf8.h).
std::string event_detail(std::string_view text);

}  // namespace postern::providers::common
