// Message statuses: the queues a message moves through (docs/architecture.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace postern {

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

std::string_view to_string(MessageStatus s);
std::optional<MessageStatus> parse_message_status(std::string_view s);

// Final statuses end the pipeline: nothing changes them but a retry request.
inline bool is_final(MessageStatus s) {
  return s == MessageStatus::sent || s == MessageStatus::failed || s == MessageStatus::cancelled ||
         s == MessageStatus::quarantined;
}

}  // namespace postern
