#include "sim/postmark/postmark_service.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/address.h"
#include "core/time_format.h"
#include "sim/common/fault_state.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

constexpr std::size_t kMaxRecipientsPerField = 50;

const boost::json::string* string_at(const boost::json::object& o, std::string_view key) {
  auto v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

bool accepts_json(std::string_view accept) {
  return accept.find("application/json") != std::string_view::npos ||
         accept.find("*/*") != std::string_view::npos;
}

struct Recipients {
  std::vector<std::string> addresses;
  std::optional<net::HttpResponse> error;
};

// To, Cc and Bcc: comma-separated mailboxes, at most 50 each.
Recipients read_recipients(const boost::json::object& body) {
  Recipients out;
  for (std::string_view field : {"To", "Cc", "Bcc"}) {
    auto value = string_at(body, field);
    if (!value || value->empty()) continue;
    auto list = parse_mailbox_list(*value);
    if (!list) {
      out.error = postmark_error(
          422, 300, "Invalid '" + std::string(field) + "' address: '" + std::string(*value) + "'.");
      return out;
    }
    if (list->size() > kMaxRecipientsPerField) {
      out.error = postmark_error(422, 300,
                                 "Too many '" + std::string(field) +
                                     "' recipients specified. The limit is "
                                     "50.");
      return out;
    }
    for (auto& m : *list) out.addresses.push_back(std::move(m.address));
  }
  return out;
}

}  // namespace

net::HttpResponse postmark_error(int status, int error_code, std::string_view message) {
  return json_response(status,
                       boost::json::object{{"ErrorCode", error_code}, {"Message", message}});
}

std::string postmark_timestamp(SystemTime t) {
  // Seven digits of fraction, as .NET writes them: ticks of 100 ns.
  using Ticks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
  auto ticks = std::chrono::floor<Ticks>(t - std::chrono::floor<std::chrono::seconds>(t));
  return format_utc(t, "%Y-%m-%dT%H:%M:%S") + fmt::format(".{:07}+00:00", ticks.count());
}

PostmarkService::PostmarkService(PostmarkSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)), ids_(seed) {}

bool PostmarkService::is_probe(const net::HttpRequest& request) const {
  return request.method == "GET" && request.path == "/server";
}

ServiceAnswer PostmarkService::handle(const net::HttpRequest& request,
                                      const RequestContext& context) {
  auto token = request.header("X-Postmark-Server-Token");
  if (token.empty()) {
    return {postmark_error(
        401, 10,
        "No Account or Server API tokens were supplied in the HTTP headers. Please add a "
        "header for either X-Postmark-Server-Token or X-Postmark-Account-Token.")};
  }
  if (token != settings_.server_token) return {unauthorized(request)};
  if (is_probe(request)) {
    // The server object of the token.
    boost::json::object server{{"ID", 1},
                               {"Name", "postern-sim"},
                               {"ApiTokens", boost::json::array{settings_.server_token}},
                               {"Color", "Purple"},
                               {"SmtpApiActivated", true},
                               {"RawEmailEnabled", false},
                               {"DeliveryType", "Live"},
                               {"ServerLink", "https://account.postmarkapp.com/servers/1/streams"},
                               {"InboundAddress", ""},
                               {"TrackOpens", false},
                               {"TrackLinks", "None"}};
    return {json_response(200, server)};
  }
  if (request.path == "/email") {
    if (request.method != "POST") return {postmark_error(405, 0, "Method Not Allowed")};
    return send(request, context);
  }
  return {postmark_error(404, 0, "The requested endpoint does not exist.")};
}

ServiceAnswer PostmarkService::send(const net::HttpRequest& request,
                                    const RequestContext& context) {
  // Both headers must say JSON (ErrorCode 409, "JSON required").
  if (!accepts_json(request.header("Accept")) ||
      media_type(request.header("Content-Type")) != "application/json") {
    return {
        postmark_error(422, 409,
                       "Your HTTP request does not have the Accept and Content-Type headers set to "
                       "application/json.")};
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(request.body, ec);
  if (ec) return {postmark_error(422, 402, "Received invalid JSON input.")};
  if (!parsed.is_object()) return {postmark_error(422, 403, "Incompatible JSON input.")};
  const auto& body = parsed.get_object();

  auto from = string_at(body, "From");
  if (!from || !parse_mailbox(*from)) {
    return {postmark_error(422, 300,
                           "Invalid 'From' address: '" + (from ? std::string(*from) : "") + "'.")};
  }
  auto to = string_at(body, "To");
  if (!to || to->empty()) return {postmark_error(422, 300, "Zero recipients specified")};
  auto recipients = read_recipients(body);
  if (recipients.error) return {std::move(*recipients.error)};
  auto text = string_at(body, "TextBody");
  auto html = string_at(body, "HtmlBody");
  if ((!text || text->empty()) && (!html || html->empty())) {
    return {postmark_error(422, 300, "Provide either email TextBody or HtmlBody or both.")};
  }
  // ErrorCode 406: the message names every inactive address.
  std::string inactive;
  for (const auto& address : recipients.addresses) {
    if (context.faults.rejects(address)) inactive += (inactive.empty() ? "" : ", ") + address;
  }
  if (!inactive.empty()) {
    return {postmark_error(
        422, 406,
        "You tried to send to recipient(s) that have been marked as inactive. Found inactive "
        "addresses: " +
            inactive +
            ". Inactive recipients are ones that have generated a hard "
            "bounce, a spam complaint, or a manual suppression.")};
  }

  std::string postern_id;
  if (auto metadata = body.if_contains("Metadata"); metadata && metadata->is_object()) {
    if (auto id = string_at(metadata->get_object(), "postern_id")) postern_id = std::string(*id);
  }
  auto id = ids_.uuid();
  boost::json::object ok{{"To", *to},
                         {"SubmittedAt", postmark_timestamp(context.now)},
                         {"MessageID", id},
                         {"ErrorCode", 0},
                         {"Message", "OK"}};
  return {json_response(200, ok),
          Accepted{std::move(postern_id), std::move(id), std::move(recipients.addresses)}};
}

net::HttpResponse PostmarkService::unauthorized(const net::HttpRequest&) const {
  // The observed 401 body for a token that is not (or no longer) valid.
  return postmark_error(401, 10, "Request does not contain a valid Server token.");
}

net::HttpResponse PostmarkService::throttled(const net::HttpRequest&, std::chrono::seconds,
                                             SystemTime) const {
  // ErrorCode 429; Postmark documents no retry header.
  return postmark_error(429, 429, "Rate limit exceeded.");
}

net::HttpResponse PostmarkService::server_error(const net::HttpRequest&, int status) const {
  // 503 is a planned outage (ErrorCode 100, Maintenance); other 5xx
  // carry no ErrorCode, so the status decides.
  if (status == 503) return postmark_error(503, 100, "Maintenance");
  return json_response(status, boost::json::object{{"Message", reason_phrase(status)}});
}

}  // namespace postern::sim
