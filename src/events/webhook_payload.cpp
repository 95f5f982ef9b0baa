#include "events/webhook_payload.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/time_format.h"

namespace postern::events {
namespace {

namespace json = boost::json;

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

std::string webhook_payload(const store::WebhookEvent& event) {
  // boost::json::object keeps insertion order: the bytes depend on the
  // event only.
  auto at = format_rfc3339(event.at);
  json::object data;
  data["message_id"] = event.message.to_string();
  data["status"] = std::string(to_string(event.status));
  if (event.type.starts_with("recipient.")) data["recipient"] = event.recipient;
  data["provider"] = text_or_null(event.provider);
  data["class"] = text_or_null(event.failure_class);
  data["code"] = text_or_null(event.code);
  data["detail"] = text_or_null(event.detail);
  data["at"] = at;
  json::object body;
  body["type"] = event.type;
  body["timestamp"] = at;
  body["data"] = std::move(data);
  return json::serialize(body);
}

}  // namespace postern::events
