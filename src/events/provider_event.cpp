#include "events/provider_event.h"

#include <array>
#include <utility>

namespace postern::events {
namespace {

constexpr std::array<std::pair<RecipientEventType, std::string_view>, 5> kNames = {{
    {RecipientEventType::delivered, "delivered"},
    {RecipientEventType::bounced, "bounced"},
    {RecipientEventType::soft_bounced, "soft_bounced"},
    {RecipientEventType::complained, "complained"},
    {RecipientEventType::deferred, "deferred"},
}};

}  // namespace

std::string_view to_str(RecipientEventType type) {
  for (const auto& [value, name] : kNames)
    if (value == type) return name;
  return "unknown";
}

std::optional<RecipientEventType> parse_recipient_event_type(std::string_view name) {
  for (const auto& [value, text] : kNames)
    if (text == name) return value;
  return std::nullopt;
}

}  // namespace postern::events
