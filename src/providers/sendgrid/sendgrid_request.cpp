// Building SendGrid's mail/send body (docs/providers.md, sendgrid) from the structured
// message, whether it was submitted as JSON or parsed from raw MIME.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.h"
#include "providers/common/message_parts.h"
#include "providers/sendgrid/sendgrid_provider.h"

namespace postern::providers::sendgrid {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxCategories = 10;  // at most 10, each distinct
constexpr std::size_t kMaxCategoryLength = 255;

net::HttpClientRequest base_request(const SendGridSettings& settings, std::string method,
                                    std::string path) {
  net::HttpClientRequest r;
  r.method = std::move(method);
  r.url = settings.base_url + path;
  r.headers = {{"Authorization", "Bearer " + settings.api_key}, {"Accept", "application/json"}};
  r.timeout = settings.timeout;
  return r;
}

json::object email(const Mailbox& m) {
  json::object o;
  o["email"] = m.address;
  if (!m.name.empty()) {
    // Names in to/cc/bcc may not contain ';' or ','; a space keeps
    // the name readable instead of failing the whole send.
    std::string name = m.name;
    for (auto& c : name) {
      if (c == ';' || c == ',') c = ' ';
    }
    o["name"] = name;
  }
  return o;
}

json::array emails(const std::vector<Mailbox>& list) {
  json::array a;
  for (const auto& m : list) a.push_back(email(m));
  return a;
}

// Every personalization needs a `to`. Mail with no To goes to its Cc
// as To; mail with only Bcc gets one personalization per recipient, so that
// no Bcc recipient sees another.
json::array personalizations(const common::RecipientLists& r) {
  json::array out;
  if (!r.to.empty() || !r.cc.empty()) {
    json::object p;
    p["to"] = emails(r.to.empty() ? r.cc : r.to);
    if (!r.to.empty() && !r.cc.empty()) p["cc"] = emails(r.cc);
    if (!r.bcc.empty()) p["bcc"] = emails(r.bcc);
    out.push_back(std::move(p));
    return out;
  }
  for (const auto& b : r.bcc) out.push_back(json::object{{"to", json::array{email(b)}}});
  return out;
}

json::array content(const Message& m) {
  // §2.2 (RFC 1341 §7.2 order): text/plain first, then text/html; a value
  // must be at least one character.
  json::array a;
  if (!m.text.empty()) a.push_back(json::object{{"type", "text/plain"}, {"value", m.text}});
  if (!m.html.empty()) a.push_back(json::object{{"type", "text/html"}, {"value", m.html}});
  if (a.empty()) a.push_back(json::object{{"type", "text/plain"}, {"value", " "}});
  return a;
}

json::array attachments(const Message& m) {
  json::array a;
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    const auto& att = m.attachments[i];
    json::object o;
    o["content"] = base64_encode(att.content);
    o["filename"] = common::attachment_name(att, i);
    o["type"] = att.content_type;
    o["disposition"] = att.is_inline ? "inline" : "attachment";
    if (!att.content_id.empty()) o["content_id"] = att.content_id;
    a.push_back(std::move(o));
  }
  return a;
}

json::object body_of(const SendGridSettings& settings, const OutboundMessage& message,
                     const Message& m) {
  json::object body;
  body["personalizations"] = personalizations(common::recipients_of(message.envelope(), &m));
  body["from"] = email(m.from);
  if (m.reply_to.size() == 1) body["reply_to"] = email(m.reply_to.front());
  if (m.reply_to.size() > 1) body["reply_to_list"] = emails(m.reply_to);
  // Subject has minLength 1 when no personalization carries one.
  body["subject"] = m.subject.empty() ? std::string(" ") : m.subject;
  body["content"] = content(m);
  if (!m.attachments.empty()) body["attachments"] = attachments(m);

  json::object headers;
  for (const auto& [name, value] : m.headers) {
    if (!common::is_structural_header(name) && !headers.contains(name)) headers[name] = value;
  }
  headers["X-Postern-Id"] = message.id_string();
  body["headers"] = std::move(headers);

  json::array categories;
  for (const auto& tag : message.tags()) {
    if (categories.size() == kMaxCategories) break;
    json::string category(tag.substr(0, kMaxCategoryLength));
    if (std::find(categories.begin(), categories.end(), json::value(category)) ==
        categories.end()) {
      categories.push_back(std::move(category));
    }
  }
  if (!categories.empty()) body["categories"] = std::move(categories);

  // The Postern id comes back in SendGrid's event webhooks as a custom arg.
  json::object args;
  args["postern_id"] = message.id_string();
  for (const auto& [key, value] : m.metadata) {
    if (key != "postern_id") args[key] = value;
  }
  body["custom_args"] = std::move(args);
  if (settings.sandbox_mode)
    body["mail_settings"] = json::object{{"sandbox_mode", json::object{{"enable", true}}}};
  return body;
}

}  // namespace

Result<net::HttpClientRequest> build_sendgrid_send(const SendGridSettings& settings,
                                                   const OutboundMessage& message) {
  auto structured = message.structured();
  if (!structured) return structured.error();
  auto request = base_request(settings, "POST", "/v3/mail/send");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = json::serialize(body_of(settings, message, **structured));
  return request;
}

net::HttpClientRequest build_sendgrid_probe(const SendGridSettings& settings) {
  return base_request(settings, "GET", "/v3/scopes");
}

}  // namespace postern::providers::sendgrid
