// Building Mailgun's send and probe requests (docs/providers.md, mailgun).
#include "core/base64.h"
#include "providers/common/message_parts.h"
#include "providers/mailgun/mailgun_provider.h"
#include "providers/mailgun/multipart_form.h"

namespace postern::providers::mailgun {

namespace {

// o:tag repeats, at most 3 per message (api-limits.rst); extra tags
// would make the whole send fail, so they stay in Postern's records only.
constexpr std::size_t kMaxTags = 3;

net::HttpClientRequest base_request(const MailgunSettings& settings, std::string method,
                                    std::string path) {
  net::HttpClientRequest r;
  r.method = std::move(method);
  r.url = settings.base_url + path;
  r.headers = {{"Authorization", "Basic " + base64_encode("api:" + settings.api_key)},
               {"Accept", "application/json"}};
  r.timeout = settings.timeout;
  return r;
}

// Options shared by both endpoints: tags, test mode, the Postern id as a
// custom variable (it comes back in Mailgun's events and webhooks).
void add_options(MultipartForm& form, const MailgunSettings& settings,
                 const OutboundMessage& message) {
  const auto& tags = message.tags();
  for (std::size_t i = 0; i < tags.size() && i < kMaxTags; ++i) form.add_field("o:tag", tags[i]);
  if (settings.test_mode) form.add_field("o:testmode", "yes");
  form.add_field("v:postern-id", message.id_string());
}

void add_structured(MultipartForm& form, const Message& m, const OutboundMessage& message) {
  form.add_field("from", format_mailbox(m.from));
  // The envelope says who gets the message, not the fields: a recipient
  // left out (suppressed, or settled by an earlier attempt) is not named.
  auto recipients = common::recipients_of(message.envelope(), &m);
  for (const auto& r : recipients.to) form.add_field("to", format_mailbox(r));
  for (const auto& r : recipients.cc) form.add_field("cc", format_mailbox(r));
  for (const auto& r : recipients.bcc) form.add_field("bcc", format_mailbox(r));
  form.add_field("subject", m.subject);
  if (!m.text.empty()) form.add_field("text", m.text);
  if (!m.html.empty()) form.add_field("html", m.html);
  if (!m.reply_to.empty()) {
    std::string list;
    for (const auto& r : m.reply_to) list += (list.empty() ? "" : ", ") + format_mailbox(r);
    form.add_field("h:Reply-To", list);
  }
  // Built messages carry X-Postern-Id; mail Mailgun builds gets it too.
  form.add_field("h:X-Postern-Id", message.id_string());
  for (const auto& [name, value] : m.headers) form.add_field("h:" + name, value);
  for (const auto& [key, value] : m.metadata) {
    if (key != "postern-id") form.add_field("v:" + key, value);
  }
  for (const auto& a : m.attachments) {
    // Mailgun names an inline part's Content-ID after its file name
    // (referenced as cid:<filename>), so the content id goes there.
    if (a.is_inline) {
      form.add_file("inline", a.content_id.empty() ? a.filename : a.content_id, a.content_type,
                    a.content);
    } else {
      form.add_file("attachment", a.filename.empty() ? "attachment" : a.filename, a.content_type,
                    a.content);
    }
  }
}

}  // namespace

Result<net::HttpClientRequest> build_mailgun_send(const MailgunSettings& settings,
                                                  const OutboundMessage& message) {
  MultipartForm form;
  std::string path;
  if (message.format() == ContentFormat::json) {
    auto structured = message.structured();
    if (!structured) return structured.error();
    add_structured(form, **structured, message);
    path = "/v3/" + settings.domain + "/messages";
  } else {
    auto mime = message.mime();
    if (!mime) return mime.error();
    // Mailgun does not read recipients from the MIME; every envelope
    // recipient (Bcc included) goes in `to`, the message as a file part.
    for (const auto& r : message.envelope().recipients) form.add_field("to", r.address);
    form.add_file("message", "message.eml", "message/rfc822", **mime);
    path = "/v3/" + settings.domain + "/messages.mime";
  }
  add_options(form, settings, message);
  auto encoded = form.encode(message.id_string());
  auto request = base_request(settings, "POST", std::move(path));
  request.headers.emplace_back("Content-Type", std::move(encoded.content_type));
  request.body = std::move(encoded.body);
  return request;
}

net::HttpClientRequest build_mailgun_probe(const MailgunSettings& settings) {
  return base_request(settings, "GET", "/v3/domains/" + settings.domain);
}

}  // namespace postern::providers::mailgun
