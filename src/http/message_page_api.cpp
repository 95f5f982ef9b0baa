// GET /message/{id}: the page nodemailer.getTestMessageUrl() links to
// (<web>/message/<id>, the id the SMTP reply and the HTTP API gave): the
// caught copy when it is filed, else the gateway's stored message
// (docs/inbox.md "Reading over HTTP").
#include "core/message_id.h"
#include "http/handlers.h"
#include "http/inbox_access.h"
#include "http/message_page.h"
#include "http/query.h"
#include "http/responses.h"
#include "mime/html_sanitize.h"
#include "mime/outbound.h"

namespace postern::http {
namespace {

net::HttpResponse page_response(int status, std::string html, std::string_view csp) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Content-Security-Policy", std::string(csp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.body = std::move(html);
  return r;
}

net::HttpResponse not_found_page(std::string_view id) {
  return page_response(404,
                       "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>No such message</title></head><body><h1>No such message</h1>"
                       "<p>No message has the id <code>" +
                           mime::escape_html(id) + "</code>.</p></body></html>\n",
                       mime::kSanitizedHtmlCsp);
}

// The raw bytes and links of the message `id` names, or nullopt when there
// is none this caller may see. A caught copy is the account's; a message
// not (yet) filed is the gateway's, which a test account's login does not
// reach.
struct PageSource {
  std::string raw;
  MessagePageOptions options;
};

std::optional<PageSource> caught_source(ApiServices& s, const Call& call, MessageId id) {
  if (!s.inbox) return std::nullopt;
  auto caught = s.inbox->find_caught(id);
  if (!caught) return std::nullopt;
  auto account = s.inbox->account(caught->first);
  if (!account || !may_access_account(call.principal, *account)) return std::nullopt;
  auto raw = s.inbox->blob_content(caught->second.blob);
  if (!raw) return std::nullopt;
  auto base = message_path(account->user, caught->second.uid);
  PageSource out{std::move(*raw), {}};
  out.options.attachment_url_prefix = base + "/attachments/";
  out.options.raw_url = base + "/raw";
  return out;
}

std::optional<PageSource> gateway_source(ApiServices& s, const Call& call, MessageId id) {
  if (call.principal.kind == auth::Principal::Kind::test_account) return std::nullopt;
  auto detail = s.store.get_message(id);
  if (!detail) return std::nullopt;
  auto content = s.store.get_content(id);
  if (!content) return std::nullopt;
  auto raw = mime::render_stored(content->first, content->second, id.to_string(),
                                 detail->summary.created_at);
  if (!raw) return std::nullopt;
  PageSource out{std::move(*raw), {}};
  // Its attachments are served once it is filed; until then its source is.
  out.options.raw_url = "/v1/messages/" + id.to_string() + "/raw";
  return out;
}

}  // namespace

void message_page(ApiServices& s, Call& call, net::Responder respond) {
  std::string text(call.param("id"));
  auto q = QueryParams::parse(call.request.query);
  auto id = MessageId::parse(text);
  if (!id || !q) return respond(not_found_page(text));
  auto source = caught_source(s, call, *id);
  if (!source) source = gateway_source(s, call, *id);
  if (!source) return respond(not_found_page(text));
  source->options.allow_remote = q->get("remote") == "1";
  if (!source->options.allow_remote) source->options.remote_url = "/message/" + text + "?remote=1";
  auto page = render_message_page(source->raw, source->options);
  respond(page_response(200, std::move(page.html), page.content_security_policy));
}

}  // namespace postern::http
