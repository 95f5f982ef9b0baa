// API keys over HTTP (admin scope): list, create (the secret is shown once),
// delete. The CLI (`postern keys`) does the same against the store.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "auth/credentials.h"
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

}  // namespace

void list_keys(ApiServices& s, Call&, net::Responder respond) {
  auto keys = s.store.list_api_keys();
  if (!keys) return respond(store_error_response(keys.error()));
  json::array data;
  for (const auto& k : *keys) {
    data.emplace_back(json::object{{"name", k.key.name},
                                   {"scopes", scope_array(k.key.scopes)},
                                   {"created_at", format_rfc3339(k.key.created_at)}});
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
  auto secret = auth::generate_api_secret();
  store::StoredApiKey key{{std::string(name->get_string()), scopes->names(), s.clock.now()},
                          auth::hash_api_secret(secret)};
  auto reply = json::object{
      {"name", key.key.name}, {"scopes", scope_array(key.key.scopes)}, {"secret", secret}};
  auto* authenticator = &s.authenticator;
  s.store.create_api_key(std::move(key), [respond, reply, authenticator](Result<void> r) {
    if (!r) {
      if (r.error() == Errc::conflict) {
        return respond(error_response(409, "conflict", "a key with this name exists", "name"));
      }
      return respond(store_error_response(r.error()));
    }
    authenticator->invalidate();
    respond(json_response(201, reply));
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
