#include "core/status.h"

#include <array>

namespace postern {
namespace {
constexpr std::array<std::string_view, kMessageStatusCount> kNames = {
    "queued", "sending", "sent", "deferred", "failed", "cancelled", "quarantined"};
}

std::string_view to_string(MessageStatus s) { return kNames[static_cast<std::size_t>(s)]; }

std::optional<MessageStatus> parse_message_status(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == s) return static_cast<MessageStatus>(i);
  }
  return std::nullopt;
}

}  // namespace postern
