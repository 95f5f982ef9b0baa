// API keys over HTTP (admin scope): list (with expiry and last use),
// create (the secret is shown once; "test_account" binds the key to a test
// account, docs/inbox.md "Sending over HTTP"; "expires_in" makes it
// expire), rotate (a new secret, the old one kept for a grace period),
// delete. The CLI (`postern keys`) does the same against the store.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "auth/api_keys.h"
#include "core/config_values.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/responses.h"

namespace postern::http {
namespace json = boost::json;
namespace {

bool valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

json::array scope_array(const std::vector<std::string>& scopes) {
  json::array a;
  for (const auto& s : scopes) a.emplace_back(s);
  return a;
}

json::value test_account_json(const std::string& user) {
  return user.empty() ? json::value(nullptr) : json::value(user);
}

json::value time_json(const std::optional<SystemTime>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

// A duration field: "30d", "24h", "90m" or a number of seconds. Sets `out`
// (nullopt when absent or null), or answers why not.
std::optional<net::HttpResponse> duration_field(const json::object& o, std::string_view field,
                                                std::optional<std::chrono::milliseconds>& out) {
  const auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::nullopt;
  std::string text;
  if (v->is_string()) {
    text = v->get_string();
  } else if (v->is_int64()) {
    text = std::to_string(v->get_int64());
  } else {
    return error_response(422, "invalid_type",
                          std::string(field) + " must be a duration (\"30d\", \"24h\") or seconds",
                          field);
  }
  auto d = parse_duration(text);
  if (!d) return error_response(422, "invalid_value", d.error().message, field);
  out = *d;
  return std::nullopt;
}

net::HttpResponse no_such_account(std::string_view user) {
  return error_response(422, "invalid_value", "no test account named '" + std::string(user) + "'",
                        "test_account");
}

// Sets `id` to the test account a new key is bound to, and `user` to its
// name (0 and "" when the body names none), or answers why not.
std::optional<net::HttpResponse> bound_account(ApiServices& s, const json::object& o,
                                               std::string& user, store::AccountId& id) {
  const auto* v = o.if_contains("test_account");
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string() || v->get_string().empty()) {
    return error_response(422, "invalid_type", "test_account must be a test account's user name",
                          "test_account");
  }
  if (!s.inbox)
    return error_response(503, "unavailable", "the test inbox is not running on this node");
  user = v->get_string();
  auto account = s.inbox->account_by_user(user);
  if (account) {
    id = account->id;
    return std::nullopt;
  }
  if (account.error() == Errc::not_found) return no_such_account(user);
  return store_error_response(account.error());
}

}  // namespace

void list_keys(ApiServices& s, Call&, net::Responder respond) {
  auto keys = s.store.list_api_keys();
  if (!keys) return respond(store_error_response(keys.error()));
  json::array data;
  for (const auto& k : *keys) {
    data.emplace_back(json::object{{"name", k.key.name},
                                   {"scopes", scope_array(k.key.scopes)},
                                   {"test_account", test_account_json(k.key.test_account)},
                                   {"created_at", format_rfc3339(k.key.created_at)},
                                   {"expires_at", time_json(k.key.expires_at)},
                                   {"last_used_at", time_json(k.key.last_used_at)},
                                   {"previous_secret_valid_until",
                                    time_json(k.key.previous_hash_valid_until(s.clock.now()))}});
  }
  respond(json_response(200, json::object{{"data", std::move(data)}}));
}

void create_key(ApiServices& s, Call& call, net::Responder respond) {
  boost::system::error_code ec;
  auto doc = json::parse(call.request.body, ec);
  if (ec || !doc.is_object())
    return respond(error_response(400, "invalid_json", "the body must be a JSON object"));
  const auto& o = doc.get_object();
  const auto* name = o.if_contains("name");
  if (!name || !name->is_string() || !valid_key_name(name->get_string())) {
    return respond(error_response(422, "invalid_value",
                                  "name must be 1 to 64 letters, digits, '-', '_' or '.'", "name"));
  }
  std::vector<std::string> scope_names = {"send"};
  if (const auto* scopes = o.if_contains("scopes")) {
    if (!scopes->is_array())
      return respond(error_response(422, "invalid_type", "scopes must be an array", "scopes"));
    scope_names.clear();
    for (const auto& v : scopes->get_array()) {
      if (!v.is_string())
        return respond(error_response(422, "invalid_type", "scopes must be strings", "scopes"));
      scope_names.emplace_back(v.get_string());
    }
  }
  auto scopes = auth::parse_scopes(scope_names);
  if (!scopes)
    return respond(error_response(422, "invalid_value", scopes.error().message, "scopes"));
  std::string user;
  store::AccountId account = 0;
  if (auto refused = bound_account(s, o, user, account)) return respond(std::move(*refused));
  std::optional<std::chrono::milliseconds> expires_in;
  if (auto refused = duration_field(o, "expires_in", expires_in))
    return respond(std::move(*refused));
  if (expires_in && expires_in->count() <= 0) {
    return respond(
        error_response(422, "invalid_value", "expires_in must be in the future", "expires_in"));
  }
  auto key = auth::make_api_key(std::string(name->get_string()), *scopes, account, s.clock.now(),
                                expires_in);
  if (!key) return respond(error_response(422, "invalid_value", key.error().message, "scopes"));
  auto reply = json::object{{"name", key->stored.key.name},
                            {"scopes", scope_array(key->stored.key.scopes)},
                            {"test_account", test_account_json(user)},
                            {"expires_at", time_json(key->stored.key.expires_at)},
                            {"secret", key->secret}};
  auto* authenticator = &s.authenticator;
  s.store.create_api_key(
      std::move(key->stored), [respond, reply, authenticator, user](Result<void> r) {
        if (!r) {
          if (r.error() == Errc::conflict) {
            return respond(error_response(409, "conflict", "a key with this name exists", "name"));
          }
          // Its account was deleted since it was looked up.
          if (r.error() == Errc::not_found) return respond(no_such_account(user));
          return respond(store_error_response(r.error()));
        }
        authenticator->invalidate();
        respond(json_response(201, reply));
      });
}

void rotate_key(ApiServices& s, Call& call, net::Responder respond) {
  std::optional<std::chrono::milliseconds> grace;
  if (!call.request.body.empty()) {
    boost::system::error_code ec;
    auto doc = json::parse(call.request.body, ec);
    if (ec || !doc.is_object())
      return respond(error_response(400, "invalid_json", "the body must be a JSON object"));
    if (auto refused = duration_field(doc.get_object(), "grace", grace))
      return respond(std::move(*refused));
  }
  auto rotated = auth::rotate_api_key(s.clock.now(), grace.value_or(std::chrono::hours(24)));
  if (!rotated)
    return respond(error_response(422, "invalid_value", rotated.error().message, "grace"));
  std::string name(call.param("name"));
  auto reply =
      json::object{{"name", name},
                   {"secret", rotated->secret},
                   {"previous_secret_valid_until", format_rfc3339(rotated->previous_valid_until)}};
  auto* authenticator = &s.authenticator;
  s.store.rotate_api_key(
      name, rotated->secret_hash, rotated->previous_valid_until,
      [respond, reply, authenticator](Result<void> r) {
        if (!r) {
          if (r.error() == Errc::not_found)
            return respond(error_response(404, "not_found", "no key has this name", "name"));
          return respond(store_error_response(r.error()));
        }
        authenticator->invalidate();
        respond(json_response(200, reply));
      });
}

void delete_key(ApiServices& s, Call& call, net::Responder respond) {
  auto* authenticator = &s.authenticator;
  s.store.delete_api_key(std::string(call.param("name")), [respond, authenticator](Result<void> r) {
    if (!r) {
      if (r.error() == Errc::not_found)
        return respond(error_response(404, "not_found", "no key has this name", "name"));
      return respond(store_error_response(r.error()));
    }
    authenticator->invalidate();
    respond(no_content_response());
  });
}

}  // namespace postern::http
