#include "store/webhook_store.h"

#include <array>
#include <utility>

namespace postern::store {
namespace {

// The names the store writes (schema migration 12): never rename one.
constexpr std::array<std::pair<WebhookDeliveryState, std::string_view>, 3> kStateNames = {{
    {WebhookDeliveryState::pending, "pending"},
    {WebhookDeliveryState::delivered, "delivered"},
    {WebhookDeliveryState::failed, "failed"},
}};

}  // namespace

std::string_view to_str(WebhookDeliveryState state) {
  for (const auto& [s, name] : kStateNames)
    if (s == state) return name;
  return "pending";
}

std::optional<WebhookDeliveryState> parse_webhook_delivery_state(std::string_view name) {
  for (const auto& [s, n] : kStateNames)
    if (n == name) return s;
  return std::nullopt;
}

}  // namespace postern::store
