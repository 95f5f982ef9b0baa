#include "providers/ses/sns_message.h"

#include <boost/url/parse.hpp>

#include "core/ascii.h"
#include "core/base64.h"
#include "providers/common/webhook_support.h"

namespace postern::providers::ses {

namespace json = boost::json;
using common::text_member;

namespace {

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return host.starts_with("127.") &&
         host.find_first_not_of("0123456789.") == std::string_view::npos;
}

bool region_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

}  // namespace

bool is_sns_host(std::string_view host) {
  constexpr std::string_view kPrefix = "sns.";
  std::string_view rest;
  for (std::string_view suffix : {".amazonaws.com", ".amazonaws.com.cn"}) {
    if (host.starts_with(kPrefix) && host.ends_with(suffix) &&
        host.size() > kPrefix.size() + suffix.size())
      rest = host.substr(kPrefix.size(), host.size() - kPrefix.size() - suffix.size());
  }
  if (rest.empty()) return false;
  for (char c : rest)
    if (!region_char(c)) return false;
  return true;
}

Result<SnsMessage, WebhookRefusal> parse_sns_message(std::string_view body) {
  auto value = common::parse_json(body);
  if (!value || !value->is_object())
    return common::malformed_webhook("the body is not an SNS message (a JSON object)");
  const auto& o = value->as_object();
  SnsMessage m;
  m.type = text_member(o, "Type");
  m.message_id = text_member(o, "MessageId");
  m.topic_arn = text_member(o, "TopicArn");
  if (const auto* subject = o.if_contains("Subject"); subject && subject->is_string())
    m.subject = std::string(subject->as_string());
  m.message = text_member(o, "Message");
  m.timestamp = text_member(o, "Timestamp");
  m.token = text_member(o, "Token");
  m.subscribe_url = text_member(o, "SubscribeURL");
  m.signing_cert_url = text_member(o, "SigningCertURL");
  bool confirmation = m.type == "SubscriptionConfirmation" || m.type == "UnsubscribeConfirmation";
  if (m.type != "Notification" && !confirmation)
    return common::malformed_webhook(
        "Type must be Notification, SubscriptionConfirmation or "
        "UnsubscribeConfirmation");
  if (m.message_id.empty() || m.topic_arn.empty() || m.timestamp.empty() ||
      m.signing_cert_url.empty() || (confirmation && (m.subscribe_url.empty() || m.token.empty())))
    return common::malformed_webhook("the SNS message lacks a required key");
  auto version = text_member(o, "SignatureVersion");
  if (version == "1") {
    m.signature_version = 1;
  } else if (version == "2") {
    m.signature_version = 2;
  } else {
    return common::webhook_refusal("unsupported_signature", "SignatureVersion must be 1 or 2");
  }
  auto signature = base64_decode(text_member(o, "Signature"));
  if (!signature || signature->empty())
    return common::webhook_refusal("bad_signature", "Signature is not base64");
  m.signature = std::move(*signature);
  return m;
}

std::string sns_string_to_sign(const SnsMessage& m) {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view value) {
    out.append(key).append("\n").append(value).append("\n");
  };
  add("Message", m.message);
  add("MessageId", m.message_id);
  if (m.type == "Notification") {
    if (m.subject) add("Subject", *m.subject);
  } else {
    add("SubscribeURL", m.subscribe_url);
  }
  add("Timestamp", m.timestamp);
  if (m.type != "Notification") add("Token", m.token);
  add("TopicArn", m.topic_arn);
  add("Type", m.type);
  return out;
}

Result<FetchTarget, WebhookRefusal> check_sns_url(const SnsHostRules& rules, std::string_view url,
                                                  std::string_view what) {
  std::string reason = what == "SigningCertURL" ? "cert_host_not_allowed" : "url_not_allowed";
  auto refuse = [&](std::string why) {
    return common::webhook_refusal(reason, std::string(what) + " " + why);
  };
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->encoded_host().empty() || parsed->has_userinfo())
    return refuse("is not an absolute http(s) URL");
  std::string host = ascii_lowered(parsed->encoded_host());
  std::string scheme = ascii_lowered(parsed->scheme());
  bool listed = false;
  for (const auto& h : rules.extra_hosts)
    if (ascii_iequals(h, host)) listed = true;
  if (scheme == "https") {
    if (is_sns_host(host)) return FetchTarget{true};
    if (listed) return FetchTarget{false};
    return refuse("is not on an SNS host (sns.<region>.amazonaws.com) or webhook_cert_hosts: " +
                  host);
  }
  if (scheme == "http" && listed && is_loopback_host(host)) return FetchTarget{false};
  return refuse("must use https (plain http only from a loopback host in webhook_cert_hosts)");
}

}  // namespace postern::providers::ses
