// Building Postmark's /email body (docs/providers.md, postmark) from the
// structured message, whether submitted as JSON or parsed from raw MIME.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.h"
#include "providers/common/message_parts.h"
#include "providers/postmark/postmark_provider.h"

namespace postern::providers::postmark {

namespace json = boost::json;

namespace {

net::HttpClientRequest base_request(const PostmarkSettings& settings, std::string method,
                                    std::string path) {
  net::HttpClientRequest r;
  r.method = std::move(method);
  r.url = settings.base_url + path;
  // All three are required; a missing one may answer 415.
  r.headers = {{"Accept", "application/json"}, {"X-Postmark-Server-Token", settings.server_token}};
  r.timeout = settings.timeout;
  return r;
}

json::array attachments(const Message& m) {
  json::array a;
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    const auto& att = m.attachments[i];
    json::object o;
    o["Name"] = common::attachment_name(att, i);
    o["Content"] = base64_encode(att.content);
    o["ContentType"] = att.content_type;
    // Inline parts are the ones with a ContentID, written "cid:...".
    if (att.is_inline && !att.content_id.empty()) o["ContentID"] = "cid:" + att.content_id;
    a.push_back(std::move(o));
  }
  return a;
}

}  // namespace

Result<net::HttpClientRequest> build_postmark_send(const PostmarkSettings& settings,
                                                   const OutboundMessage& message) {
  auto structured = message.structured();
  if (!structured) return structured.error();
  const Message& m = **structured;
  auto recipients = common::recipients_of(message.envelope(), &m);
  // To is required: Cc stands in when there is no To.
  if (recipients.to.empty()) std::swap(recipients.to, recipients.cc);
  if (recipients.to.empty()) return error_code(Errc::invalid_argument);

  json::object body;
  body["From"] = format_mailbox(m.from);
  body["To"] = common::join_mailboxes(recipients.to);
  if (!recipients.cc.empty()) body["Cc"] = common::join_mailboxes(recipients.cc);
  if (!recipients.bcc.empty()) body["Bcc"] = common::join_mailboxes(recipients.bcc);
  body["Subject"] = m.subject;
  if (!m.text.empty()) body["TextBody"] = m.text;
  if (!m.html.empty()) body["HtmlBody"] = m.html;
  // One of the bodies is required.
  if (m.text.empty() && m.html.empty()) body["TextBody"] = " ";
  if (!m.reply_to.empty()) body["ReplyTo"] = common::join_mailboxes(m.reply_to);

  json::array headers;
  for (const auto& [name, value] : m.headers) {
    if (!common::is_structural_header(name))
      headers.push_back(json::object{{"Name", name}, {"Value", value}});
  }
  headers.push_back(json::object{{"Name", "X-Postern-Id"}, {"Value", message.id_string()}});
  body["Headers"] = std::move(headers);
  if (!m.attachments.empty()) body["Attachments"] = attachments(m);
  // One Tag per message; the first tag is the message's category.
  if (!message.tags().empty()) body["Tag"] = message.tags().front();
  // The Postern id comes back in Postmark's webhooks as metadata.
  json::object metadata{{"postern_id", message.id_string()}};
  for (const auto& [key, value] : m.metadata) {
    if (key != "postern_id") metadata[key] = value;
  }
  body["Metadata"] = std::move(metadata);
  if (!settings.message_stream.empty()) body["MessageStream"] = settings.message_stream;

  auto request = base_request(settings, "POST", "/email");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = json::serialize(body);
  return request;
}

net::HttpClientRequest build_postmark_probe(const PostmarkSettings& settings) {
  return base_request(settings, "GET", "/server");
}

}  // namespace postern::providers::postmark
