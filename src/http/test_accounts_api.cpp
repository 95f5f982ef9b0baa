// Test inbox accounts over HTTP (docs/inbox.md, Accounts): create (send
// scope; the password is shown once, with the settings to use, and with
// "api_key": true a key bound to the account, docs/inbox.md "Sending over
// HTTP"), get (read),
// list and delete (admin); and Nodemailer's Ethereal endpoint POST /user,
// which creates one in the shape nodemailer.createTestAccount() reads. The
// account service (inbox/accounts.h) does the work.
#include <boost/json/array.hpp>

#include "auth/api_keys.h"
#include "core/decimal.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"
#include "http/routing_json.h"
#include "inbox/accounts.h"
#include "inbox/client_settings.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;

net::HttpResponse no_inbox() {
  return error_response(503, "unavailable", "the test inbox is not running on this node");
}

net::HttpResponse no_such_account(std::string_view user) {
  return error_response(404, "not_found", "no test account named '" + std::string(user) + "'",
                        "user");
}

// The account errors of the store in words about accounts: conflict is a
// name taken by a racing creation (or none free), worth one more try.
net::HttpResponse account_error_response(const error_code& ec, std::string_view user) {
  if (ec == Errc::not_found) return no_such_account(user);
  if (ec == Errc::conflict) {
    auto r = error_response(503, "unavailable", "no free account name was found; try again");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  if (ec == Errc::internal) return error_response(500, "internal", "cannot hash the password");
  return store_error_response(ec);
}

// The settings as this client reaches the node: wildcard listen addresses
// become the host it asked for.
inbox::ClientSettings settings_for(ApiServices& s, const Call& call) {
  inbox::ClientSettings settings;
  if (s.client_settings) settings = s.client_settings->get();
  return inbox::for_client(std::move(settings), inbox::host_of_header(call.request.header("Host")));
}

json::object endpoint_json(const inbox::ServiceEndpoint& e, bool with_live) {
  json::object o{{"host", e.host}, {"port", e.port}, {"secure", e.secure}};
  if (with_live) o["live"] = e.live;
  return o;
}

json::object account_json(const store::InboxAccount& a, const inbox::ClientSettings& settings) {
  return json::object{
      {"user", a.user},
      {"address", a.address},
      {"created_at", format_rfc3339(a.created_at)},
      {"last_used_at", format_rfc3339(a.last_used_at)},
      {"expires_at", a.catch_all ? json::value(nullptr)
                                 : json::value(format_rfc3339(a.last_used_at + a.retention))},
      {"retention_seconds", a.retention.count()},
      {"quota_bytes", a.quota_bytes},
      {"used_bytes", a.used_bytes},
      {"catch_all", a.catch_all},
      {"smtp", endpoint_json(settings.smtp, true)},
      {"imap", endpoint_json(settings.imap, true)},
      {"pop3", endpoint_json(settings.pop3, true)},
      {"web", inbox::web_url(settings.http)},
  };
}

// A JSON string, or a number written as text: "3d" or 259200, "10MiB" or
// 10485760. Anything else is refused naming the field.
Result<std::optional<std::string>, FieldError> text_or_number(const json::object& body,
                                                              std::string_view field) {
  const auto* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(std::string(v->get_string()));
  if (v->is_uint64()) return std::optional<std::string>(std::to_string(v->get_uint64()));
  if (v->is_int64() && v->get_int64() >= 0)
    return std::optional<std::string>(std::to_string(v->get_int64()));
  return FieldError{"invalid_value",
                    std::string(field) +
                        " must be a string such as \"3d\" or \"10MiB\", or a "
                        "whole number of seconds or bytes",
                    std::string(field)};
}

struct CreateRequest {
  inbox::AccountRequest account;
  bool api_key = false;  // also make a key bound to the account, shown once
};

Result<CreateRequest, FieldError> create_request(const std::string& body) {
  CreateRequest request;
  if (body.empty()) return request;
  auto o = json_object_body(body);
  if (!o) return o.error();
  for (const auto& [k, _] : *o) {
    if (k != "retention" && k != "quota" && k != "api_key")
      return FieldError{"unknown_field", "unknown field (use retention, quota, api_key)",
                        std::string(k)};
  }
  auto retention = text_or_number(*o, "retention");
  if (!retention) return retention.error();
  auto quota = text_or_number(*o, "quota");
  if (!quota) return quota.error();
  request.account.retention = std::move(*retention);
  request.account.quota = std::move(*quota);
  if (const auto* key = o->if_contains("api_key"); key && !key->is_null()) {
    if (!key->is_bool())
      return FieldError{"invalid_type", "api_key must be true or false", "api_key"};
    request.api_key = key->get_bool();
  }
  return request;
}

// The key "api_key": true asks for, made once the account exists and
// answered in `body`. Should the key fail, the account is deleted again:
// the caller gets both or neither.
void add_account_key(ApiServices& s, const store::InboxAccount& account, json::object body,
                     net::Responder respond) {
  auth::Scopes send;
  send.add(auth::Scope::send);
  auto key =
      auth::make_api_key(auth::account_key_name(account.user), send, account.id, s.clock.now());
  if (!key) return respond(error_response(500, "internal", key.error().message));
  body["api_key"] = json::object{
      {"name", key->stored.key.name}, {"scopes", json::array{"send"}}, {"secret", key->secret}};
  auto* services = &s;
  s.store.create_api_key(std::move(key->stored), [services, user = account.user,
                                                  body = std::move(body), respond](Result<void> r) {
    if (r) {
      services->authenticator.invalidate();
      return respond(json_response(201, body));
    }
    services->accounts->remove(user, [respond, failed = r.error()](Result<void>) {
      respond(account_error_response(failed, ""));
    });
  });
}

}  // namespace

void create_test_account(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.accounts) return respond(no_inbox());
  auto request = create_request(call.request.body);
  if (!request) return respond(field_error_response(400, request.error()));
  auto terms = s.accounts->terms(request->account);
  if (!terms) return respond(field_error_response(400, terms.error()));
  auto settings = settings_for(s, call);
  auto* services = &s;
  s.accounts->create(*terms, [respond, settings, services,
                              with_key = request->api_key](Result<inbox::CreatedAccount> r) {
    if (!r) return respond(account_error_response(r.error(), ""));
    auto body = account_json(r->account, settings);
    body["password"] = r->password;
    if (with_key) return add_account_key(*services, r->account, std::move(body), respond);
    respond(json_response(201, body));
  });
}

void list_test_accounts(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.accounts) return respond(no_inbox());
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  store::AccountId before = 0;
  if (auto cursor = q->get("cursor")) {
    auto id = parse_decimal<store::AccountId>(*cursor);
    if (!id || *id <= 0)
      return respond(
          error_response(400, "invalid_value", "cursor is not one this API gave out", "cursor"));
    before = *id;
  }
  auto page = s.accounts->list(before, *limit);
  if (!page) return respond(store_error_response(page.error()));
  auto settings = settings_for(s, call);
  json::array data;
  for (const auto& a : *page) data.emplace_back(account_json(a, settings));
  json::value next = nullptr;
  if (page->size() == *limit) next = std::to_string(page->back().id);
  respond(json_response(200,
                        json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}}));
}

void get_test_account(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.accounts) return respond(no_inbox());
  std::string user(call.param("user"));
  auto account = s.accounts->get(user);
  if (!account) return respond(account_error_response(account.error(), user));
  respond(json_response(200, account_json(*account, settings_for(s, call))));
}

void delete_test_account(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.accounts) return respond(no_inbox());
  std::string user(call.param("user"));
  auto* authenticator = &s.authenticator;
  s.accounts->remove(user, [respond, user, authenticator](Result<void> r) {
    if (!r) return respond(account_error_response(r.error(), user));
    authenticator->invalidate();  // its keys went with it: they fail from the next request
    respond(no_content_response());
  });
}

// Nodemailer reads the body only of a 2xx answer ("Invalid status code N"
// otherwise); errors still carry Ethereal's {status, error} for people and
// clients that read them.
void ethereal_create_user(ApiServices& s, Call& call, net::Responder respond) {
  auto refuse = [&respond](int status, std::string_view why) {
    respond(json_response(status, json::object{{"status", "error"}, {"error", why}}));
  };
  if (!s.accounts) return refuse(503, "the test inbox is not running on this node");
  // {requestor, version}: who asks, for nobody's use here; any object passes.
  if (!call.request.body.empty() && !json_object_body(call.request.body))
    return refuse(400, "the body must be a JSON object");
  auto terms = s.accounts->terms({});
  if (!terms) return refuse(500, terms.error().message);
  auto settings = settings_for(s, call);
  s.accounts->create(*terms, [respond, settings](Result<inbox::CreatedAccount> r) {
    if (!r) {
      auto e = account_error_response(r.error(), "");
      return respond(json_response(
          e.status, json::object{{"status", "error"},
                                 {"error", "cannot create an account: " + r.error().message()}}));
    }
    // Ethereal's user is the address: apps send From it and log in with it.
    respond(json_response(200, json::object{{"status", "success"},
                                            {"user", r->account.address},
                                            {"pass", r->password},
                                            {"smtp", endpoint_json(settings.smtp, false)},
                                            {"imap", endpoint_json(settings.imap, false)},
                                            {"pop3", endpoint_json(settings.pop3, false)},
                                            {"web", inbox::web_url(settings.http)}}));
  });
}

}  // namespace postern::http
