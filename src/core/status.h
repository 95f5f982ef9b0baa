// Message statuses: the queues a message moves through (docs/architecture.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace postern {

// Stored on disk: the store keeps a status as its number (messages.status,
// events.status, status_counts.status, and the partial indexes on them), so
// a number, once given, must never change nor be reused; a new status takes
// the next one. SQL text names statuses and gets their numbers from here
// (store/status_sql.h); tests/unit/store/stored_values_test.cpp pins
// each number.
enum class MessageStatus : std::uint8_t {
  queued = 0,       // accepted and durable, waiting for a worker
  sending = 1,      // leased by one worker
  sent = 2,         // a provider accepted it
  deferred = 3,     // an attempt failed transiently; retried at next_attempt_at
  failed = 4,       // permanent failure or retries spent
  cancelled = 5,    // cancelled by a user before it was sent
  quarantined = 6,  // its stored record cannot be decoded (Postfix "corrupt")
};

inline constexpr int kMessageStatusCount = 7;

// The API's (and the SQL text's) name of each status, indexed by its number.
inline constexpr std::array<std::string_view, kMessageStatusCount> kMessageStatusNames = {
    "queued", "sending", "sent", "deferred", "failed", "cancelled", "quarantined"};

std::string_view to_string(MessageStatus s);
std::optional<MessageStatus> parse_message_status(std::string_view s);

// Final statuses end the pipeline: only an operator's request moves a
// message out of one (store::Store::retry and, for quarantined mail,
// store::Store::cancel say which states each takes).
inline bool is_final(MessageStatus s) {
  return s == MessageStatus::sent || s == MessageStatus::failed || s == MessageStatus::cancelled ||
         s == MessageStatus::quarantined;
}

}  // namespace postern
