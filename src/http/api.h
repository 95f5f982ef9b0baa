// The HTTP API under /v1 plus the operational endpoints: routing,
// authentication and scopes, request metrics. Handlers live in *_api.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/abuse_limits.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/message_json.h"
#include "core/metrics.h"
#include "http/api_options.h"
#include "net/http_message.h"
#include "store/event_store.h"
#include "store/inbox_store.h"
#include "store/store.h"
#include "store/webhook_store.h"

namespace postern::delivery {
class Intake;
class OutcomeWaiters;
}  // namespace postern::delivery
namespace postern::routing {
class RoutingService;
}
namespace postern::events {
class WebhookReceiver;
}
namespace postern::stats {
class TrafficStats;
class LiveFeed;
}  // namespace postern::stats
namespace postern::inbox {
class AccountService;
class ClientSettingsBoard;
}  // namespace postern::inbox

namespace postern::http {

class UiFiles;

struct ApiServices {
  store::Store& store;
  delivery::Intake& intake;
  auth::Authenticator& authenticator;
  MetricsRegistry& metrics;
  const Clock& clock;
  MessageLimits limits;
  ApiOptions options;
  std::function<bool()> ready;                  // /readyz: store writable and not shutting down
  std::function<void()> wake_dispatcher;        // a retried message is due now
  delivery::OutcomeWaiters* waiters = nullptr;  // sync sends; null disables Prefer: wait
  routing::RoutingService* routing = nullptr;   // /v1/providers, /v1/routing, /v1/events; null: 503
  // /v1/test-accounts and /user (Ethereal); null: 503. The board holds the
  // listeners' addresses the new accounts are told to use.
  inbox::AccountService* accounts = nullptr;
  const inbox::ClientSettingsBoard* client_settings = nullptr;
  // The accounts' mail, for /v1/test-accounts/{user}/messages; null: 503.
  store::InboxStore* inbox = nullptr;
  // Provider events and the suppression list, for /v1/provider-events and
  // /v1/suppressions; null: 503. Give the server's
  // delivery::SuppressionCache, so that intake sees a change at once.
  store::EventStore* events = nullptr;
  // POST /v1/webhooks/{provider}; null: 404.
  ::postern::events::WebhookReceiver* webhooks = nullptr;
  // The user's webhook endpoints and their delivery logs, for
  // /v1/webhook-endpoints; null: 503.
  store::WebhookStore* webhooks_out = nullptr;
  // The built web UI served at /, /docs and the UI's own routes
  // (http/ui_files.h); null: the pages say it is not built.
  std::shared_ptr<const UiFiles> ui;
  // This node's traffic over the last hour, for GET /v1/stats; null: 503.
  const stats::TrafficStats* traffic = nullptr;
  // Told of the status changes the API makes (cancel, retry), for the live
  // events; may be null.
  stats::LiveFeed* live = nullptr;
  // Request rate and concurrency per key and per address, and the delays
  // after failed logins (docs/operations.md "Abuse limits"); null: none.
  auth::AbuseLimits* abuse_limits = nullptr;
};

// A request that passed routing and authentication.
struct Call {
  net::HttpRequest& request;
  const std::vector<std::pair<std::string, std::string>>& params;
  const auth::Principal& principal;
  std::string_view param(std::string_view name) const;
};

class Api {
 public:
  explicit Api(ApiServices services);
  ~Api();

  // The net::HttpHandler of the server.
  void handle(net::HttpRequest&& request, net::Responder respond);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A route the API serves, as the OpenAPI document must describe it.
struct ApiRoute {
  std::string method;                // "GET", "POST", ...
  std::string pattern;               // "/v1/messages/{id}"
  std::optional<auth::Scope> scope;  // the scope a key needs; nullopt: open to anyone
};
std::vector<ApiRoute> api_routes();

}  // namespace postern::http
