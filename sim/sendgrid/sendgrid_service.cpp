#include "sim/sendgrid/sendgrid_service.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/ascii.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

// {"errors": [{"field": null, "message": ...}]}, the shape of the
// errors that name no field (auth, rate limit, server).
net::HttpResponse plain_error(int status, std::string_view message) {
  boost::json::object e{{"field", nullptr}, {"message", message}};
  return json_response(status, boost::json::object{{"errors", boost::json::array{std::move(e)}}});
}

std::string postern_id_of(const boost::json::object& body) {
  auto from_args = [](const boost::json::value* args) -> std::string {
    if (!args || !args->is_object()) return "";
    auto id = args->get_object().if_contains("postern_id");
    return id && id->is_string() ? std::string(id->get_string()) : "";
  };
  auto id = from_args(body.if_contains("custom_args"));
  if (!id.empty()) return id;
  // Per-personalization custom_args as a fallback.
  if (auto p = body.if_contains("personalizations");
      p && p->is_array() && !p->get_array().empty() && p->get_array()[0].is_object()) {
    return from_args(p->get_array()[0].get_object().if_contains("custom_args"));
  }
  return "";
}

// Every to, cc and bcc email of every personalization; already validated.
std::vector<std::string> personalization_addresses(const boost::json::object& body) {
  std::vector<std::string> out;
  auto p = body.if_contains("personalizations");
  if (!p || !p->is_array()) return out;
  for (const auto& one : p->get_array()) {
    if (!one.is_object()) continue;
    for (std::string_view key : {"to", "cc", "bcc"}) {
      auto list = one.get_object().if_contains(key);
      if (!list || !list->is_array()) continue;
      for (const auto& r : list->get_array()) {
        auto email = r.is_object() ? r.get_object().if_contains("email") : nullptr;
        if (email && email->is_string()) out.emplace_back(email->get_string());
      }
    }
  }
  return out;
}

bool sandbox_mode(const boost::json::object& body) {
  auto settings = body.if_contains("mail_settings");
  if (!settings || !settings->is_object()) return false;
  auto sandbox = settings->get_object().if_contains("sandbox_mode");
  if (!sandbox || !sandbox->is_object()) return false;
  auto enable = sandbox->get_object().if_contains("enable");
  return enable && enable->is_bool() && enable->get_bool();
}

}  // namespace

SendGridService::SendGridService(SendGridSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)), ids_(seed) {}

bool SendGridService::is_probe(const net::HttpRequest& request) const {
  return request.method == "GET" && request.path == "/v3/scopes";
}

void SendGridService::add_rate_headers(net::HttpResponse& response, SystemTime now) const {
  auto second = unix_seconds(now);
  // A new window resets the count; the race between two threads opening
  // the same window only blurs a header value.
  auto window = window_.load(std::memory_order_relaxed);
  if (window != second && window_.compare_exchange_strong(window, second)) used_.store(0);
  auto used = used_.fetch_add(1, std::memory_order_relaxed) + 1;
  auto remaining = used >= settings_.rate_limit ? 0 : settings_.rate_limit - used;
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(settings_.rate_limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
  response.headers.emplace_back("X-RateLimit-Reset", std::to_string(second + 1));
}

ServiceAnswer SendGridService::handle(const net::HttpRequest& request,
                                      const RequestContext& context) {
  ServiceAnswer answer;
  auto authorization = request.header("Authorization");
  auto token = bearer_token(authorization);
  if (authorization.empty()) {
    answer.response = plain_error(401, "authorization required");
  } else if (!token || *token != settings_.api_key) {
    // unauthorized() adds the rate headers itself.
    return {unauthorized(request)};
  } else if (is_probe(request)) {
    // The key's scopes; mail.send is what a sender needs.
    boost::json::array scopes{"mail.send", "scopes.read", "user.profile.read"};
    answer.response = json_response(200, boost::json::object{{"scopes", std::move(scopes)}});
  } else if (request.path == "/v3/mail/send") {
    answer = request.method == "POST" ? send(request)
                                      : ServiceAnswer{plain_error(405, "method not allowed")};
  } else {
    answer.response = plain_error(404, "not found");
  }
  add_rate_headers(answer.response, context.now);
  return answer;
}

ServiceAnswer SendGridService::send(const net::HttpRequest& request) {
  if (media_type(request.header("Content-Type")) != "application/json") {
    return {plain_error(415, "Content-Type should be application/json.")};
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(request.body, ec);
  if (ec || !parsed.is_object()) {
    boost::json::object e{{"field", nullptr}, {"message", "Bad Request"}, {"help", nullptr}};
    return {json_response(400, boost::json::object{{"errors", boost::json::array{std::move(e)}}})};
  }
  const auto& body = parsed.get_object();
  auto errors = sendgrid_validate(body);
  if (!errors.empty())
    return {json_response(400, boost::json::object{{"errors", std::move(errors)}})};

  // 202 with an empty body and X-Message-Id; sandbox mode 200.
  net::HttpResponse response;
  response.status = sandbox_mode(body) ? 200 : 202;
  response.content_type.clear();
  auto id = ids_.url_safe(22);
  response.headers.emplace_back("X-Message-Id", id);
  return {std::move(response),
          Accepted{postern_id_of(body), std::move(id), personalization_addresses(body)}};
}

net::HttpResponse SendGridService::unauthorized(const net::HttpRequest&) const {
  // SendGrid's observed 401 body.
  boost::json::object e{
      {"message", "The provided authorization grant is invalid, expired, or revoked"},
      {"field", nullptr},
      {"help", nullptr}};
  auto response =
      json_response(401, boost::json::object{{"errors", boost::json::array{std::move(e)}}});
  add_rate_headers(response, std::chrono::system_clock::now());
  return response;
}

net::HttpResponse SendGridService::throttled(const net::HttpRequest&,
                                             std::chrono::seconds retry_after,
                                             SystemTime now) const {
  // The same headers, Remaining 0 and Reset at the retry time.
  auto response = plain_error(429, "too many requests");
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(settings_.rate_limit));
  response.headers.emplace_back("X-RateLimit-Remaining", "0");
  response.headers.emplace_back("X-RateLimit-Reset",
                                std::to_string(unix_seconds(now + retry_after)));
  return response;
}

net::HttpResponse SendGridService::server_error(const net::HttpRequest&, int status) const {
  auto message = ascii_lowered(reason_phrase(status));
  auto response = plain_error(status, message);
  add_rate_headers(response, std::chrono::system_clock::now());
  return response;
}

}  // namespace postern::sim
