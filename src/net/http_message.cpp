#include "net/http_message.h"

#include <strings.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/utf8.h"

namespace postern::net {

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return {};
}

void Responder::operator()(HttpResponse response) const { state_->deliver(std::move(response)); }

void Responder::State::deliver(HttpResponse response) {
  if (delivered_) return;
  delivered_ = true;
  auto deliver = std::move(deliver_);
  deliver(std::move(response));
}

Responder::State::~State() {
  if (!delivered_ && deliver_) {
    HttpResponse r;
    r.status = 500;
    r.body = json_error_body("internal_error", "the request was dropped without an answer");
    deliver_(std::move(r));
  }
}

std::string json_error_body(std::string_view code, std::string_view message,
                            std::string_view field) {
  // Messages quote what the client sent (a path, a user name), which may be
  // any bytes: Boost.JSON writes strings as given, so make them UTF-8 for
  // the answer to be JSON at all.
  boost::json::object error{{"code", code}, {"message", valid_utf8(message)}};
  error["field"] = field.empty() ? boost::json::value(nullptr) : boost::json::value(field);
  return boost::json::serialize(boost::json::object{{"error", std::move(error)}});
}

}  // namespace postern::net
