#include "sim/mailgun/mailgun_service.h"

#include <strings.h>

#include <boost/json.hpp>
#include <ctime>

#include "core/address.h"
#include "core/time_format.h"
#include "sim/common/form_data.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

constexpr std::size_t kMaxRecipients = 1000;
constexpr std::size_t kMaxSendOptionsBytes = 16 * 1024;  // o:, h:, v: (and t:) together

net::HttpResponse message_error(int status, std::string_view message) {
  return json_response(status, boost::json::object{{"message", message}});
}

// Every value of a (repeatable) field, in order.
std::vector<const FormField*> all_of(const std::vector<FormField>& fields, std::string_view name) {
  std::vector<const FormField*> out;
  for (const auto& f : fields) {
    if (f.name == name) out.push_back(&f);
  }
  return out;
}

bool has(const std::vector<FormField>& fields, std::string_view name) {
  return !all_of(fields, name).empty();
}

// Counts the addresses of a recipient field (comma-separated and/or
// repeated); nullopt when one of them is not a valid address.
std::optional<std::size_t> count_addresses(const std::vector<FormField>& fields,
                                           std::string_view name) {
  std::size_t n = 0;
  for (const auto* f : all_of(fields, name)) {
    auto list = parse_mailbox_list(f->value);
    if (!list) return std::nullopt;
    n += list->size();
  }
  return n;
}

// Every address of the recipient fields, in order; already checked.
std::vector<std::string> addresses_of(const std::vector<FormField>& fields) {
  std::vector<std::string> out;
  for (std::string_view name : {"to", "cc", "bcc"}) {
    for (const auto* f : all_of(fields, name)) {
      if (auto list = parse_mailbox_list(f->value)) {
        for (auto& m : *list) out.push_back(std::move(m.address));
      }
    }
  }
  return out;
}

// v: values are JSON; Postern sends the id bare, other clients may
// send it as a JSON string.
std::string unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

std::string mailgun_message_id(IdSource& ids, SystemTime now, std::string_view domain) {
  auto stamp = format_utc(now, "%Y%m%d%H%M%S");
  auto r = ids.next();
  // The shape of Mailgun's documented example, "<20111114174239.25659.5817@samples.mailgun.org>".
  return "<" + stamp + "." + std::to_string(r % 100000) + "." + std::to_string((r >> 20) % 10000) +
         "@" + std::string(domain) + ">";
}

}  // namespace

MailgunService::MailgunService(MailgunSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)), ids_(seed) {}

bool MailgunService::domain_exists(std::string_view domain) const {
  if (settings_.domains.empty()) return !domain.empty();
  for (const auto& d : settings_.domains) {
    if (d.size() == domain.size() && strncasecmp(d.data(), domain.data(), d.size()) == 0)
      return true;
  }
  return false;
}

bool MailgunService::is_probe(const net::HttpRequest& request) const {
  auto segs = path_segments(request.path);
  return request.method == "GET" && segs.size() == 3 && segs[0] == "v3" && segs[1] == "domains";
}

ServiceAnswer MailgunService::handle(const net::HttpRequest& request,
                                     const RequestContext& context) {
  // The key is checked before anything else (401 "Forbidden").
  auto credentials = basic_credentials(request.header("Authorization"));
  if (!credentials || credentials->first != "api" || credentials->second != settings_.api_key) {
    return {unauthorized(request)};
  }
  auto segs = path_segments(request.path);
  if (is_probe(request)) {
    auto domain = percent_decode(segs[2]);
    if (!domain_exists(domain)) return {message_error(404, "Domain not found")};
    // The fields a health check reads (state, is_disabled, type).
    boost::json::object d{{"created_at", rfc2822_date(context.now)},
                          {"id", ids_.hex(24)},
                          {"is_disabled", false},
                          {"name", domain},
                          {"require_tls", false},
                          {"skip_verification", false},
                          {"smtp_login", "postmaster@" + domain},
                          {"spam_action", "disabled"},
                          {"state", "active"},
                          {"type", "custom"},
                          {"web_prefix", "email"},
                          {"web_scheme", "https"},
                          {"wildcard", false}};
    return {json_response(200, boost::json::object{{"domain", std::move(d)},
                                                   {"receiving_dns_records", boost::json::array{}},
                                                   {"sending_dns_records", boost::json::array{}}})};
  }
  if (segs.size() == 3 && segs[0] == "v3" &&
      (segs[2] == "messages" || segs[2] == "messages.mime")) {
    if (request.method != "POST") return {message_error(405, "Method Not Allowed")};
    auto domain = percent_decode(segs[1]);
    if (!domain_exists(domain)) return {message_error(404, "Domain not found: " + domain)};
    return send(request, domain, segs[2] == "messages.mime", context);
  }
  return {message_error(404, "Not Found")};
}

ServiceAnswer MailgunService::send(const net::HttpRequest& request, const std::string& domain,
                                   bool mime, const RequestContext& context) {
  auto fields = parse_form(request.header("Content-Type"), request.body);
  if (!fields)
    return {message_error(400, "Invalid multipart/form-data body: " + fields.error().message)};

  // Mailgun's texts, in the order a form is read: sender, recipients, body.
  std::size_t options = 0;
  for (const auto& f : *fields) {
    if (f.name.starts_with("o:") || f.name.starts_with("h:") || f.name.starts_with("v:") ||
        f.name.starts_with("t:")) {
      options += f.name.size() + f.value.size();
    }
  }
  std::string postern_id;
  if (auto v = all_of(*fields, "v:postern-id"); !v.empty()) postern_id = unquote(v.front()->value);
  if (mime) {
    if (!has(*fields, "to")) return {message_error(400, "to parameter is missing")};
    auto message = all_of(*fields, "message");
    if (message.empty()) return {message_error(400, "message parameter is missing")};
    if (!message.front()->is_file())
      return {message_error(400, "'message' parameter is not a file")};
    auto to = count_addresses(*fields, "to");
    if (!to)
      return {
          message_error(400, "to parameter is not a valid address. please check documentation")};
    if (*to > kMaxRecipients) return {message_error(400, "Too many recipients, max is 1000")};
    if (postern_id.empty())
      postern_id = raw_header(message.front()->value, "X-Postern-Id").value_or("");
  } else {
    auto from = all_of(*fields, "from");
    if (from.empty()) return {message_error(400, "from parameter is missing")};
    if (!parse_mailbox(from.front()->value)) {
      return {
          message_error(400, "from parameter is not a valid address. please check documentation")};
    }
    if (!has(*fields, "to")) return {message_error(400, "to parameter is missing")};
    std::size_t recipients = 0;
    for (std::string_view name : {"to", "cc", "bcc"}) {
      auto n = count_addresses(*fields, name);
      if (!n) {
        return {message_error(
            400,
            std::string(name) + " parameter is not a valid address. please check documentation")};
      }
      recipients += *n;
    }
    if (recipients > kMaxRecipients)
      return {message_error(400, "Too many recipients, max is 1000")};
    if (!has(*fields, "text") && !has(*fields, "html") && !has(*fields, "amp-html") &&
        !has(*fields, "template")) {
      return {message_error(400, "Need at least one of 'text' or 'html' parameters specified")};
    }
    if (postern_id.empty()) {
      if (auto h = all_of(*fields, "h:X-Postern-Id"); !h.empty()) postern_id = h.front()->value;
    }
  }
  if (options > kMaxSendOptionsBytes) {
    return {message_error(
        400, "Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total")};
  }
  auto id = mailgun_message_id(ids_, context.now, domain);
  auto response =
      json_response(200, boost::json::object{{"id", id}, {"message", "Queued. Thank you."}});
  return {std::move(response),
          Accepted{std::move(postern_id), std::move(id), addresses_of(*fields)}};
}

net::HttpResponse MailgunService::unauthorized(const net::HttpRequest&) const {
  return text_response(401, "Forbidden");
}

net::HttpResponse MailgunService::throttled(const net::HttpRequest& request,
                                            std::chrono::seconds retry_after,
                                            SystemTime now) const {
  // No rate-limit headers; the retry time is in the text.
  auto segs = path_segments(request.path);
  std::string domain = segs.size() >= 2 ? percent_decode(segs[1]) : "unknown";
  if (segs.size() == 3 && segs[1] == "domains") domain = percent_decode(segs[2]);
  return message_error(429,
                       "Domain " + domain +
                           " is not allowed to send: request limit exceeded, try again after " +
                           rfc2822_date(now + retry_after));
}

net::HttpResponse MailgunService::server_error(const net::HttpRequest&, int status) const {
  return message_error(status, reason_phrase(status));
}

}  // namespace postern::sim
