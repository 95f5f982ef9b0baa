#include "http/api.h"

#include <chrono>
#include <optional>

#include "core/base64.h"
#include "http/handlers.h"
#include "http/responses.h"
#include "http/router.h"
#include "http/ui_files.h"
#include "inbox/accounts.h"

namespace postern::http {
namespace {

struct Route {
  std::string pattern;
  std::optional<auth::Scope> scope;  // nullopt: open to anyone
  bool account_login = false;        // a test account's HTTP Basic login also reaches it
  Handler handler;
  Counter* by_class[6] = {};  // responses by status class, 1xx..5xx
  Histogram* latency = nullptr;
};

struct RouteSpec {
  const char* method;
  const char* pattern;
  std::optional<auth::Scope> scope;
  Handler handler;
  // A test account may log in with HTTP Basic (its user name or address and
  // password) to read its own mail: the handler checks the mail is its own
  // (http/inbox_access.h), whatever the route's scope.
  bool account_login = false;
};

// The API's routes, in one place; docs/openapi.yaml must list exactly these,
// each with the scopes that grant it (tests/unit/http/openapi_test.cpp).
const RouteSpec kRoutes[] = {
    {"POST", "/v1/messages", auth::Scope::send, send_message},
    {"GET", "/v1/messages", auth::Scope::read, list_messages},
    {"GET", "/v1/messages/{id}", auth::Scope::read, get_message},
    {"GET", "/v1/messages/{id}/raw", auth::Scope::read, get_raw_message},
    {"GET", "/v1/messages/{id}/content", auth::Scope::read, get_message_content},
    {"GET", "/v1/messages/{id}/html", auth::Scope::read, get_message_html},
    {"GET", "/v1/messages/{id}/attachments/{part}", auth::Scope::read, get_message_attachment},
    {"POST", "/v1/messages/{id}/cancel", auth::Scope::send, cancel_message},
    {"POST", "/v1/messages/{id}/retry", auth::Scope::send, retry_message},
    {"GET", "/v1/keys", auth::Scope::admin, list_keys},
    {"POST", "/v1/keys", auth::Scope::admin, create_key},
    {"DELETE", "/v1/keys/{name}", auth::Scope::admin, delete_key},
    {"POST", "/v1/keys/{name}/rotate", auth::Scope::admin, rotate_key},
    {"GET", "/v1/providers", auth::Scope::read, list_providers},
    {"POST", "/v1/providers", auth::Scope::admin, create_provider},
    {"GET", "/v1/providers/{name}", auth::Scope::read, get_provider},
    {"PUT", "/v1/providers/{name}", auth::Scope::admin, update_provider},
    {"PATCH", "/v1/providers/{name}", auth::Scope::admin, patch_provider},
    {"DELETE", "/v1/providers/{name}", auth::Scope::admin, delete_provider},
    {"POST", "/v1/providers/{name}/heartbeat", auth::Scope::heartbeat, provider_heartbeat},
    {"POST", "/v1/providers/{name}/drain", auth::Scope::admin, drain_provider},
    {"POST", "/v1/providers/{name}/pause", auth::Scope::admin, pause_provider},
    {"POST", "/v1/providers/{name}/resume", auth::Scope::admin, resume_provider},
    {"GET", "/v1/routing", auth::Scope::read, get_routing},
    {"PUT", "/v1/routing", auth::Scope::admin, put_routing},
    {"GET", "/v1/events", auth::Scope::read, stream_events},
    {"GET", "/v1/stats", auth::Scope::read, get_stats},
    {"GET", "/v1/provider-events/unmatched", auth::Scope::read, list_unmatched_events},
    {"GET", "/v1/suppressions", auth::Scope::read, list_suppressions},
    {"POST", "/v1/suppressions", auth::Scope::admin, add_suppressions},
    {"GET", "/v1/suppressions.csv", auth::Scope::read, export_suppressions},
    {"GET", "/v1/suppressions/{address}", auth::Scope::read, get_suppression},
    {"DELETE", "/v1/suppressions/{address}", auth::Scope::admin, delete_suppression},
    {"GET", "/v1/webhook-endpoints", auth::Scope::admin, list_webhook_endpoints},
    {"POST", "/v1/webhook-endpoints", auth::Scope::admin, create_webhook_endpoint},
    {"GET", "/v1/webhook-endpoints/{id}", auth::Scope::admin, get_webhook_endpoint},
    {"DELETE", "/v1/webhook-endpoints/{id}", auth::Scope::admin, delete_webhook_endpoint},
    {"POST", "/v1/webhook-endpoints/{id}/disable", auth::Scope::admin, disable_webhook_endpoint},
    {"POST", "/v1/webhook-endpoints/{id}/enable", auth::Scope::admin, enable_webhook_endpoint},
    {"GET", "/v1/webhook-endpoints/{id}/deliveries", auth::Scope::admin, list_webhook_deliveries},
    {"POST", "/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver", auth::Scope::admin,
     redeliver_webhook_delivery},
    {"POST", "/v1/test-accounts", auth::Scope::send, create_test_account},
    {"GET", "/v1/test-accounts", auth::Scope::admin, list_test_accounts},
    {"GET", "/v1/test-accounts/{user}", auth::Scope::read, get_test_account},
    {"DELETE", "/v1/test-accounts/{user}", auth::Scope::admin, delete_test_account},
    {"GET", "/v1/test-accounts/{user}/messages", auth::Scope::read, list_test_account_messages,
     true},
    {"DELETE", "/v1/test-accounts/{user}/messages", auth::Scope::send, delete_test_account_messages,
     true},
    {"GET", "/v1/test-accounts/{user}/messages/{uid}", auth::Scope::read, get_test_account_message,
     true},
    {"DELETE", "/v1/test-accounts/{user}/messages/{uid}", auth::Scope::send,
     delete_test_account_message, true},
    {"GET", "/v1/test-accounts/{user}/messages/{uid}/raw", auth::Scope::read,
     get_test_account_message_raw, true},
    {"GET", "/v1/test-accounts/{user}/messages/{uid}/html", auth::Scope::read,
     get_test_account_message_html, true},
    {"GET", "/v1/test-accounts/{user}/messages/{uid}/attachments/{part}", auth::Scope::read,
     get_test_account_attachment, true},
    {"POST", "/v1/test-accounts/{user}/messages/{uid}/seen", auth::Scope::read,
     mark_test_account_message_seen, true},
    {"DELETE", "/v1/test-accounts/{user}/messages/{uid}/seen", auth::Scope::read,
     mark_test_account_message_unseen, true},
    // nodemailer.getTestMessageUrl(): the page of a message by its gateway id.
    {"GET", "/message/{id}", auth::Scope::read, message_page, true},
    // Nodemailer's createTestAccount() (Ethereal's API): with ETHEREAL_API_KEY
    // set it sends the key as a Bearer token, so the usual rules hold.
    {"POST", "/user", auth::Scope::send, ethereal_create_user},
    // Provider event webhooks: each provider's signature or credentials
    // stand in for an API key (docs/events.md, "Webhooks in").
    {"POST", "/v1/webhooks/{provider}", std::nullopt, receive_webhook},
    {"GET", "/healthz", std::nullopt, healthz},
    {"GET", "/readyz", std::nullopt, readyz},
    {"GET", "/metrics", std::nullopt, metrics},
    {"GET", "/openapi.json", std::nullopt, openapi_json},
    // The web UI (docs/ui.md): Swagger UI, the UI's entry page; its assets
    // and client-side routes are served when no route matches (handle()).
    {"GET", "/docs", std::nullopt, ui_page},
    {"GET", "/", std::nullopt, ui_page},
};

std::string_view bearer_token(const net::HttpRequest& r) {
  auto h = r.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() > kBearer.size() && strncasecmp(h.data(), kBearer.data(), kBearer.size()) == 0) {
    return h.substr(kBearer.size());
  }
  return {};
}

// HTTP Basic credentials (RFC 7617) in the Authorization header.
struct BasicLogin {
  bool present = false;  // the header is a Basic one
  bool valid = false;    // and its value is base64 of user:password
  std::string user;
  std::string password;
};

BasicLogin basic_login(const net::HttpRequest& r) {
  BasicLogin out;
  auto h = r.header("Authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (h.size() < kBasic.size() || strncasecmp(h.data(), kBasic.data(), kBasic.size()) != 0)
    return out;
  out.present = true;
  auto decoded = base64_decode(h.substr(kBasic.size()));
  if (!decoded) return out;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return out;
  out.user = decoded->substr(0, colon);
  out.password = decoded->substr(colon + 1);
  out.valid = true;
  return out;
}

// Lets a browser ask for a test account's login (the /message page off
// loopback).
const std::pair<std::string, std::string> kBasicChallenge{
    "WWW-Authenticate", "Basic realm=\"Postern test inbox\", charset=\"UTF-8\""};

// A GET outside the API that no route takes: the web UI's file or route.
std::optional<net::HttpResponse> ui_fallback(const UiFiles& ui, const net::HttpRequest& r) {
  if (r.method != "GET" && r.method != "HEAD") return std::nullopt;
  if (r.path == "/v1" || r.path.starts_with("/v1/")) return std::nullopt;
  return ui.response(r);
}

// A heartbeat sender may prove who it is with a client certificate
// (http.tls_client_ca) instead of an API key: the certificate's CN is the
// provider it beats for (provider_heartbeat checks the name). It grants the
// heartbeat scope only, and an API key, when sent, takes precedence.
std::optional<auth::Principal> certificate_principal(const net::HttpRequest& request,
                                                     auth::Scope scope) {
  if (scope != auth::Scope::heartbeat || request.client_certificate.empty() ||
      !bearer_token(request).empty())
    return std::nullopt;
  auth::Scopes scopes;
  scopes.add(auth::Scope::heartbeat);
  return auth::Principal{auth::Principal::Kind::client_certificate, request.client_certificate,
                         scopes};
}

// A streamed answer (GET /v1/events) is a request in flight for as long
// as it runs: it holds its place under the concurrency limit until the
// stream is dropped.
class PermittedStream final : public net::ResponseStream {
 public:
  PermittedStream(std::shared_ptr<net::ResponseStream> inner,
                  std::shared_ptr<auth::AbuseLimits::Permit> permit)
      : inner_(std::move(inner)), permit_(std::move(permit)) {}
  void next(std::function<void(std::optional<std::string>)> done) override {
    inner_->next(std::move(done));
  }
  void cancel() override { inner_->cancel(); }

 private:
  std::shared_ptr<net::ResponseStream> inner_;
  std::shared_ptr<auth::AbuseLimits::Permit> permit_;
};

}  // namespace

std::string_view Call::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

struct Api::Impl {
  ApiServices services;
  Router<Route> router;
  Counter& unauthorized;

  explicit Impl(ApiServices s)
      : services(with_ui(std::move(s))),
        unauthorized(
            services.metrics.counter("postern_http_unauthorized_total",
                                     "Requests refused for missing or invalid credentials")) {
    for (const auto& spec : kRoutes) {
      Route r{spec.pattern, spec.scope, spec.account_login, spec.handler};
      for (int c = 1; c <= 5; ++c) {
        r.by_class[c] = &services.metrics.counter(
            "postern_http_requests_total", "HTTP requests by route and status class",
            {{"method", spec.method}, {"route", spec.pattern}, {"code", std::to_string(c) + "xx"}});
      }
      r.latency = &services.metrics.histogram(
          "postern_http_request_seconds", "Time from a complete request to its answer",
          latency_buckets_seconds(), {{"method", spec.method}, {"route", spec.pattern}});
      router.add(spec.method, spec.pattern, std::move(r));
    }
  }

  static ApiServices with_ui(ApiServices s) {
    if (!s.ui) s.ui = std::make_shared<const UiFiles>();
    return s;
  }

  // Runs the route's handler, counting its answer whenever it comes, on
  // whatever thread.
  // `permit` (the request's place under the abuse limits) is held until
  // the answer goes.
  void dispatch(const Route& route, net::HttpRequest& request,
                const std::vector<std::pair<std::string, std::string>>& params,
                const auth::Principal& principal, net::Responder respond,
                std::shared_ptr<auth::AbuseLimits::Permit> permit = nullptr) {
    auto start = std::chrono::steady_clock::now();
    auto counted = net::Responder(std::make_shared<net::Responder::State>(
        [&route, start, respond, permit = std::move(permit)](net::HttpResponse r) {
          int c = std::clamp(r.status / 100, 1, 5);
          route.by_class[c]->inc();
          route.latency->observe(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
          if (r.stream && permit) r.stream = std::make_shared<PermittedStream>(r.stream, permit);
          respond(std::move(r));
        }));
    Call call{request, params, principal};
    route.handler(services, call, std::move(counted));
  }

  // A test account's HTTP Basic login: checked on the account service's
  // thread (an Argon2id check on a cache miss must not hold an I/O
  // thread), then the route runs there as that account.
  void dispatch_login(const Route& route, net::HttpRequest&& request,
                      std::vector<std::pair<std::string, std::string>> params, BasicLogin login,
                      net::Responder respond) {
    if (auto wait = login_blocked(request)) return respond(std::move(*wait));
    if (!login.valid) return respond(refused_login(request, ""));
    struct Pending {
      net::HttpRequest request;
      std::vector<std::pair<std::string, std::string>> params;
    };
    auto pending = std::make_shared<Pending>(Pending{std::move(request), std::move(params)});
    auto user = login.user;
    services.accounts->verify_login_async(
        std::move(login.user), std::move(login.password),
        [this, &route, pending, respond, user](Result<store::InboxAccount> account) {
          if (!account) {
            if (account.error() == Errc::not_found)
              return respond(refused_login(pending->request, user));
            return respond(store_error_response(account.error()));
          }
          if (services.abuse_limits)
            services.abuse_limits->login_succeeded(pending->request.remote_address);
          auth::Scopes scopes;
          scopes.add(auth::Scope::read);
          scopes.add(auth::Scope::send);
          auth::Principal principal{auth::Principal::Kind::test_account, account->user, scopes,
                                    account->id};
          auto permit = admit(pending->request, principal);
          if (auto* refused = std::get_if<net::HttpResponse>(&permit))
            return respond(std::move(*refused));
          dispatch(route, pending->request, pending->params, principal, respond,
                   std::get<std::shared_ptr<auth::AbuseLimits::Permit>>(std::move(permit)));
        });
  }

  // 429 while the caller's address waits after failed logins.
  std::optional<net::HttpResponse> login_blocked(const net::HttpRequest& req) {
    if (!services.abuse_limits) return std::nullopt;
    auto refused = services.abuse_limits->login_blocked(auth::LoginProtocol::http,
                                                        req.remote_address, req.remote_proxied);
    if (!refused) return std::nullopt;
    return too_many_requests(refused->retry_after, "too_many_failed_logins", refused->message);
  }

  void login_failed(const net::HttpRequest& req, std::string_view user) {
    unauthorized.inc();
    if (services.abuse_limits)
      services.abuse_limits->login_failed(auth::LoginProtocol::http, req.remote_address, user,
                                          req.remote_proxied);
  }

  // The request's place under the rate and concurrency limits: an API
  // key's own, else its client address's.
  std::variant<std::shared_ptr<auth::AbuseLimits::Permit>, net::HttpResponse> admit(
      const net::HttpRequest& req, const auth::Principal& principal) {
    if (!services.abuse_limits) return nullptr;
    auto key = principal.kind == auth::Principal::Kind::api_key ? std::string_view(principal.name)
                                                                : std::string_view();
    auto admitted =
        services.abuse_limits->admit_request(key, req.remote_address, req.remote_proxied);
    if (auto* refused = std::get_if<auth::AbuseLimits::Refused>(&admitted))
      return too_many_requests(refused->retry_after, "rate_limited", refused->message);
    return std::get<std::shared_ptr<auth::AbuseLimits::Permit>>(std::move(admitted));
  }

  net::HttpResponse refused_login(const net::HttpRequest& req, std::string_view user) {
    login_failed(req, user);
    auto r = error_response(401, "invalid_credentials",
                            "the test account's user name or password is wrong", "Authorization");
    r.headers.emplace_back(kBasicChallenge);
    return r;
  }

  // Who is asking, or the error response to send.
  std::variant<auth::Principal, net::HttpResponse> authenticate(const net::HttpRequest& req) {
    auto token = bearer_token(req);
    if (!token.empty()) {
      if (auto wait = login_blocked(req)) return std::move(*wait);
      auto check = services.authenticator.check_key(token);
      if (check.status == auth::KeyCheck::Status::valid) {
        if (services.abuse_limits) services.abuse_limits->login_succeeded(req.remote_address);
        return std::move(check.principal);
      }
      if (check.status == auth::KeyCheck::Status::expired) {
        // Not a guess: the secret is right, its time is over.
        unauthorized.inc();
        return error_response(401, "expired_api_key",
                              "the API key '" + check.principal.name +
                                  "' has expired (or its previous secret's grace period ended)",
                              "Authorization");
      }
      login_failed(req, "");
      return error_response(401, "invalid_api_key", "the API key is not valid", "Authorization");
    }
    if (req.remote_is_loopback) {
      auto open = services.authenticator.open_to_loopback();
      // Whether a key is needed is not known: 503, try again, never 401.
      if (!open) return store_error_response(open.error());
      if (*open)
        return auth::Principal{auth::Principal::Kind::loopback, "loopback", auth::Scopes::all()};
    }
    unauthorized.inc();
    auto r = error_response(
        401, "missing_api_key",
        req.remote_is_loopback
            ? "an API key is required (Authorization: Bearer <key>) once any key exists"
            : "an API key is required (Authorization: Bearer <key>)",
        "Authorization");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
};

Api::Api(ApiServices services) : impl_(std::make_unique<Impl>(std::move(services))) {}
Api::~Api() = default;

void Api::handle(net::HttpRequest&& request, net::Responder respond) {
  auto match = impl_->router.match(request.method, request.path);
  if (!match.route) {
    if (match.path_known) {
      auto r =
          error_response(405, "method_not_allowed", "this path does not take " + request.method);
      r.headers.emplace_back("Allow", impl_->router.allowed_methods(request.path));
      return respond(std::move(r));
    }
    if (auto page = ui_fallback(*impl_->services.ui, request)) return respond(std::move(*page));
    return respond(error_response(404, "not_found", "no such endpoint: " + request.path));
  }
  const Route& route = *match.route;
  auth::Principal principal{auth::Principal::Kind::loopback, "anonymous", auth::Scopes()};
  if (route.scope) {
    if (route.account_login && impl_->services.accounts) {
      auto login = basic_login(request);
      if (login.present)
        return impl_->dispatch_login(route, std::move(request), std::move(match.params.values),
                                     std::move(login), std::move(respond));
    }
    auto by_certificate = certificate_principal(request, *route.scope);
    auto who = by_certificate ? std::variant<auth::Principal, net::HttpResponse>(*by_certificate)
                              : impl_->authenticate(request);
    if (auto* error = std::get_if<net::HttpResponse>(&who)) {
      if (route.account_login && error->status == 401) error->headers.emplace_back(kBasicChallenge);
      return respond(std::move(*error));
    }
    principal = std::get<auth::Principal>(std::move(who));
    if (!principal.scopes.grants(*route.scope)) {
      return respond(error_response(
          403, "insufficient_scope",
          "this key lacks the '" + std::string(auth::to_string(*route.scope)) + "' scope"));
    }
    auto permit = impl_->admit(request, principal);
    if (auto* refused = std::get_if<net::HttpResponse>(&permit))
      return respond(std::move(*refused));
    return impl_->dispatch(route, request, match.params.values, principal, std::move(respond),
                           std::get<std::shared_ptr<auth::AbuseLimits::Permit>>(std::move(permit)));
  }
  impl_->dispatch(route, request, match.params.values, principal, std::move(respond));
}

std::vector<ApiRoute> api_routes() {
  std::vector<ApiRoute> out;
  for (const auto& spec : kRoutes) out.push_back({spec.method, spec.pattern, spec.scope});
  return out;
}

}  // namespace postern::http
