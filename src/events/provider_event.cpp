#include "events/provider_event.h"

#include "core/enum_names.h"

namespace postern::events {
namespace {

constexpr EnumNames<RecipientEventType, 5> kNames = {{
    {RecipientEventType::delivered, "delivered"},
    {RecipientEventType::bounced, "bounced"},
    {RecipientEventType::soft_bounced, "soft_bounced"},
    {RecipientEventType::complained, "complained"},
    {RecipientEventType::deferred, "deferred"},
}};

}  // namespace

std::string_view to_str(RecipientEventType type) { return name_in(kNames, type, "unknown"); }

std::optional<RecipientEventType> parse_recipient_event_type(std::string_view name) {
  return value_in(kNames, name);
}

}  // namespace postern::events
