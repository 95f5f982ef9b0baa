#include "sim/ses/ses_service.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/address.h"
#include "core/ascii.h"
#include "core/base64.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

constexpr std::size_t kMaxRecipients = 50;

struct Refusal {
  int status;
  std::string type;
  std::string message;
};

const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  auto v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

bool string_at(const boost::json::object* o, std::string_view key) {
  auto v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string();
}

// Destination lists and ReplyToAddresses: every entry a mailbox. Returns the
// number of recipients (ReplyTo not counted) or a refusal.
std::optional<Refusal> check_addresses(const boost::json::object& body, std::size_t& recipients) {
  recipients = 0;
  auto check_list = [&](const boost::json::value* list, bool count) -> std::optional<Refusal> {
    if (!list) return std::nullopt;
    if (!list->is_array())
      return Refusal{400, "BadRequestException", "Address lists must be arrays of strings."};
    for (const auto& a : list->get_array()) {
      if (!a.is_string() || !parse_mailbox(a.get_string()))
        return Refusal{400, "BadRequestException", "Illegal address"};
      if (count) ++recipients;
    }
    return std::nullopt;
  };
  if (auto d = object_at(body, "Destination")) {
    for (std::string_view key : {"ToAddresses", "CcAddresses", "BccAddresses"}) {
      if (auto r = check_list(d->if_contains(key), true)) return r;
    }
  }
  return check_list(body.if_contains("ReplyToAddresses"), false);
}

// Every address of Destination (To, Cc, Bcc), already checked; without a
// Destination, a raw message goes to its To and Cc, as SES sends it.
std::vector<std::string> destination_addresses(const boost::json::object& body,
                                               std::string_view raw) {
  std::vector<std::string> out;
  auto d = object_at(body, "Destination");
  if (!d) {
    for (std::string_view name : {"To", "Cc"}) {
      auto value = raw_header(raw, name);
      if (!value) continue;
      auto list = parse_mailbox_list(*value);
      if (!list) continue;
      for (auto& m : *list) out.push_back(std::move(m.address));
    }
    return out;
  }
  for (std::string_view key : {"ToAddresses", "CcAddresses", "BccAddresses"}) {
    auto list = d->if_contains(key);
    if (!list || !list->is_array()) continue;
    for (const auto& a : list->get_array()) {
      if (!a.is_string()) continue;
      if (auto m = parse_mailbox(a.get_string())) out.push_back(std::move(m->address));
    }
  }
  return out;
}

std::string postern_id_of(const boost::json::object& body, std::string_view raw) {
  if (auto tags = body.if_contains("EmailTags"); tags && tags->is_array()) {
    for (const auto& t : tags->get_array()) {
      auto o = t.if_object();
      if (o && string_at(o, "Name") && o->at("Name").get_string() == "postern_id" &&
          string_at(o, "Value")) {
        return std::string(o->at("Value").get_string());
      }
    }
  }
  return raw.empty() ? "" : raw_header(raw, "X-Postern-Id").value_or("");
}

}  // namespace

net::HttpResponse ses_error(int status, std::string_view type, std::string_view message) {
  auto r = json_response(status, boost::json::object{{"message", message}});
  r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  return r;
}

SesService::SesService(SesSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)), ids_(seed) {}

bool SesService::is_probe(const net::HttpRequest& request) const {
  return request.method == "GET" && request.path == "/v2/email/account";
}

bool SesService::verified(std::string_view address) const {
  if (settings_.verified.empty()) return true;
  auto at = address.rfind('@');
  auto domain = at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
  for (const auto& identity : settings_.verified) {
    if (ascii_iequals(identity, address) || ascii_iequals(identity, domain)) return true;
  }
  return false;
}

ServiceAnswer SesService::handle(const net::HttpRequest& request, const RequestContext& context) {
  ServiceAnswer answer;
  if (auto refusal = check_sigv4(request, settings_.credentials, context.now)) {
    answer.response = ses_error(refusal->status, refusal->type, refusal->message);
  } else if (is_probe(request)) {
    answer.response = account(context);
  } else if (request.path == "/v2/email/outbound-emails" && request.method == "POST") {
    answer = send(request);
  } else {
    answer.response = ses_error(404, "UnknownOperationException",
                                "Unknown operation " + request.method + " " + request.path);
  }
  answer.response.headers.emplace_back("x-amzn-RequestId", ids_.uuid());
  return answer;
}

ServiceAnswer SesService::send(const net::HttpRequest& request) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(request.body, ec);
  if (ec || !parsed.is_object()) {
    return {ses_error(400, "BadRequestException", "The request body could not be parsed as JSON.")};
  }
  const auto& body = parsed.get_object();
  const auto* content = object_at(body, "Content");
  if (!content) {
    return {ses_error(400, "BadRequestException",
                      "1 validation error detected: Value null at 'content' failed to satisfy "
                      "constraint: Member must "
                      "not be null")};
  }
  const auto* simple = object_at(*content, "Simple");
  const auto* raw = object_at(*content, "Raw");
  const auto* tmpl = object_at(*content, "Template");
  if ((simple != nullptr) + (raw != nullptr) + (tmpl != nullptr) != 1) {
    return {ses_error(400, "BadRequestException",
                      "Exactly one of Simple, Raw or Template content must be specified.")};
  }
  std::size_t recipients = 0;
  if (auto refusal = check_addresses(body, recipients)) {
    return {ses_error(refusal->status, refusal->type, refusal->message)};
  }
  std::string raw_message;
  std::string from = string_at(&body, "FromEmailAddress")
                         ? std::string(body.at("FromEmailAddress").get_string())
                         : "";
  if (raw) {
    // Raw.Data is the base64 of the complete MIME message.
    auto decoded =
        string_at(raw, "Data") ? base64_decode(raw->at("Data").get_string()) : std::nullopt;
    if (!decoded || decoded->empty()) {
      return {ses_error(400, "BadRequestException",
                        "Content.Raw.Data must be the base64 of a MIME message.")};
    }
    raw_message = std::move(*decoded);
    if (from.empty()) from = raw_header(raw_message, "From").value_or("");
    if (from.empty()) return {ses_error(400, "MessageRejected", "Missing required header 'From'.")};
  } else if (simple) {
    const auto* subject = object_at(*simple, "Subject");
    const auto* message_body = object_at(*simple, "Body");
    bool has_body = message_body && (string_at(object_at(*message_body, "Text"), "Data") ||
                                     string_at(object_at(*message_body, "Html"), "Data"));
    if (!string_at(subject, "Data") || !has_body) {
      return {ses_error(400, "BadRequestException",
                        "Simple content requires Subject.Data and a Text or Html Body.")};
    }
  } else if (!string_at(tmpl, "TemplateName") && !string_at(tmpl, "TemplateArn") &&
             !object_at(*tmpl, "TemplateContent")) {
    return {ses_error(400, "BadRequestException",
                      "Template content requires TemplateName, TemplateArn or "
                      "TemplateContent.")};
  }
  if (!raw) {
    if (from.empty())
      return {ses_error(400, "BadRequestException", "FromEmailAddress is required.")};
    if (recipients == 0)
      return {ses_error(400, "BadRequestException", "Destination has no recipients.")};
  }
  if (recipients > kMaxRecipients)
    return {ses_error(400, "MessageRejected", "Recipient count exceeds 50.")};
  auto sender = parse_mailbox(from);
  if (!sender) return {ses_error(400, "BadRequestException", "Illegal address")};
  if (!verified(sender->address)) {
    auto region = settings_.credentials.region;
    for (auto& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return {ses_error(400, "MessageRejected",
                      "Email address is not verified. The following identities failed the "
                      "check in region " +
                          region + ": " + sender->address)};
  }
  // The shape of SES's message ids: "01010161b06c7f94-f36c15a6-1e25-49b2-a48d-772fb35fe846-000000".
  auto id = ids_.hex(16) + "-" + ids_.uuid() + "-000000";
  auto response = json_response(200, boost::json::object{{"MessageId", id}});
  return {std::move(response), Accepted{postern_id_of(body, raw_message), std::move(id),
                                        destination_addresses(body, raw_message)}};
}

net::HttpResponse SesService::account(const RequestContext& context) const {
  // The fields a health check reads.
  boost::json::object quota{{"Max24HourSend", settings_.max_24_hour_send},
                            {"MaxSendRate", settings_.max_send_rate},
                            {"SentLast24Hours", static_cast<double>(context.accepted_so_far)}};
  return json_response(
      200,
      boost::json::object{
          {"DedicatedIpAutoWarmupEnabled", false},
          {"EnforcementStatus", "HEALTHY"},
          {"ProductionAccessEnabled", true},
          {"SendQuota", std::move(quota)},
          {"SendingEnabled", true},
          {"SuppressionAttributes",
           boost::json::object{{"SuppressedReasons", boost::json::array{"BOUNCE", "COMPLAINT"}}}},
      });
}

net::HttpResponse SesService::unauthorized(const net::HttpRequest&) const {
  return ses_error(403, "UnrecognizedClientException",
                   "The security token included in the request is invalid.");
}

net::HttpResponse SesService::throttled(const net::HttpRequest&, std::chrono::seconds,
                                        SystemTime) const {
  // The per-second rate's text; SES sends no retry header.
  return ses_error(429, "TooManyRequestsException", "Maximum sending rate exceeded.");
}

net::HttpResponse SesService::server_error(const net::HttpRequest&, int status) const {
  if (status == 503)
    return ses_error(503, "ServiceUnavailable", "Service is unable to handle request.");
  return ses_error(
      status, "InternalFailure",
      "The request processing has failed because of an unknown error, exception or failure.");
}

}  // namespace postern::sim
