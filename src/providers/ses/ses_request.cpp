// Building SES v2 requests (docs/providers.md, ses), signed with
// SigV4 exactly as sent: the signed headers are the ones on the wire.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "core/base64.h"
#include "providers/common/message_parts.h"
#include "providers/ses/ses_provider.h"

namespace postern::providers::ses {

namespace json = boost::json;

namespace {

constexpr std::string_view kSigningName = "ses";

// Signs and returns the request. `path` is the API path; a path in the
// endpoint setting (a proxy prefix) goes in front of it.
net::HttpClientRequest signed_request(const SesSettings& settings, std::string method,
                                      std::string_view path, std::string body, SystemTime now) {
  net::HttpClientRequest r;
  r.method = std::move(method);
  r.url = settings.endpoint + std::string(path);
  r.timeout = settings.timeout;
  r.body = std::move(body);

  SigV4Request to_sign;
  to_sign.method = r.method;
  auto parsed = boost::urls::parse_uri(r.url);
  to_sign.path = parsed ? std::string(parsed->encoded_path()) : std::string(path);
  // The Host header must be exactly what the client sends, port included.
  auto host = net::host_header_of(r.url);
  to_sign.headers.emplace_back("Host", host ? *host : std::string());
  if (!r.body.empty()) to_sign.headers.emplace_back("Content-Type", "application/json");
  to_sign.body = r.body;
  auto signature =
      sign_v4(to_sign, settings.credentials, {settings.region, std::string(kSigningName)}, now);
  r.headers = std::move(to_sign.headers);
  r.headers.emplace_back("Authorization", std::move(signature.authorization));
  return r;
}

json::array addresses(const std::vector<Mailbox>& list) {
  json::array a;
  for (const auto& m : list) a.emplace_back(m.address);
  return a;
}

}  // namespace

Result<net::HttpClientRequest> build_ses_send(const SesSettings& settings,
                                              const OutboundMessage& message, SystemTime now) {
  auto mime = message.mime();
  if (!mime) return mime.error();
  json::object body;
  // Raw content is the whole message; the envelope decides who gets
  // it (Bcc recipients exist only there).
  body["Content"] = json::object{{"Raw", json::object{{"Data", base64_encode(**mime)}}}};
  auto recipients = common::recipients_of(message.envelope(), nullptr);
  json::object destination;
  if (!recipients.to.empty()) destination["ToAddresses"] = addresses(recipients.to);
  if (!recipients.cc.empty()) destination["CcAddresses"] = addresses(recipients.cc);
  if (!recipients.bcc.empty()) destination["BccAddresses"] = addresses(recipients.bcc);
  body["Destination"] = std::move(destination);
  // EmailTags allow only ASCII letters, digits, '_' and '-': the id (base32)
  // fits; free-form tags and metadata may not, so they stay in Postern.
  body["EmailTags"] =
      json::array{json::object{{"Name", "postern_id"}, {"Value", message.id_string()}}};
  if (!settings.configuration_set.empty())
    body["ConfigurationSetName"] = settings.configuration_set;
  return signed_request(settings, "POST", "/v2/email/outbound-emails", json::serialize(body), now);
}

net::HttpClientRequest build_ses_probe(const SesSettings& settings, SystemTime now) {
  return signed_request(settings, "GET", "/v2/email/account", "", now);
}

}  // namespace postern::providers::ses
