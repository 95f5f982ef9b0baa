#include "store/webhook_store.h"

#include "core/enum_names.h"

namespace postern::store {
namespace {

// The names the store writes (schema migration 12): never rename one.
constexpr EnumNames<WebhookDeliveryState, 3> kStateNames = {{
    {WebhookDeliveryState::pending, "pending"},
    {WebhookDeliveryState::delivered, "delivered"},
    {WebhookDeliveryState::failed, "failed"},
}};

}  // namespace

std::string_view to_str(WebhookDeliveryState state) {
  return name_in(kStateNames, state, "pending");
}

std::optional<WebhookDeliveryState> parse_webhook_delivery_state(std::string_view name) {
  return value_in(kStateNames, name);
}

}  // namespace postern::store
