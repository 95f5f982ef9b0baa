#include "store/webhook_store.h"

#include "core/enum_names.h"
#include "core/utf8.h"

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

WebhookAttemptOutcome outcome_of(const WebhookAttempt& a) {
  const auto state = a.delivered  ? WebhookDeliveryState::delivered
                     : a.retry_at ? WebhookDeliveryState::pending
                                  : WebhookDeliveryState::failed;
  // At most 500 bytes: clip_utf8 may add three for its "...".
  return {state, state == WebhookDeliveryState::pending ? *a.retry_at : a.at,
          a.delivered ? std::string() : clip_utf8(a.error, 497)};
}

}  // namespace postern::store
