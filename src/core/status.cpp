#include "core/status.h"

namespace postern {

std::string_view to_string(MessageStatus s) {
  return kMessageStatusNames[static_cast<std::size_t>(s)];
}

std::optional<MessageStatus> parse_message_status(std::string_view s) {
  for (std::size_t i = 0; i < kMessageStatusNames.size(); ++i) {
    if (kMessageStatusNames[i] == s) return static_cast<MessageStatus>(i);
  }
  return std::nullopt;
}

}  // namespace postern
