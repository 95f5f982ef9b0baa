#include "http/reading_json.h"

#include <boost/json/array.hpp>

#include "core/time_format.h"
#include "http/content_disposition.h"
#include "http/query.h"
#include "http/responses.h"
#include "mime/html_sanitize.h"

namespace postern::http {
namespace json = boost::json;
namespace {

json::array mailboxes_json(const std::vector<Mailbox>& list) {
  json::array out;
  for (const auto& m : list)
    out.emplace_back(json::object{{"name", m.name}, {"address", m.address}});
  return out;
}

// cid: references of the HTML point at the message's inline parts as the
// read API serves them.
mime::SanitizeOptions sanitize_options(const mime::ReadingView& view, const std::string& base,
                                       bool allow_remote) {
  mime::SanitizeOptions options;
  options.allow_remote = allow_remote;
  options.cid_url = [&view, base](std::string_view content_id) -> std::string {
    for (const auto& a : view.attachments) {
      if (!a.content_id.empty() && a.content_id == content_id) return base + "/attachments/" + a.id;
    }
    return "";
  };
  return options;
}

// The headers every answer holding mail's HTML carries: the strict policy,
// no type sniffing, no referrer leaking the message's URL to a link.
void add_html_headers(net::HttpResponse& r, std::string_view csp) {
  r.headers.emplace_back("Content-Security-Policy", std::string(csp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

json::object reading_json(const mime::ReadingView& view, const std::string& base) {
  json::array headers;
  for (const auto& h : view.headers)
    headers.emplace_back(json::object{{"name", h.name}, {"value", h.value}});
  json::array attachments;
  for (const auto& a : view.attachments) {
    attachments.emplace_back(json::object{
        {"id", a.id},
        {"filename", a.filename},
        {"content_type", a.content_type},
        {"size", a.size},
        {"content_id", a.content_id},
        {"inline", a.is_inline},
        {"url", base + "/attachments/" + a.id},
    });
  }
  json::value html = nullptr;
  std::size_t blocked = 0;
  if (!view.html.empty()) {
    auto clean = mime::sanitize_html(view.html, sanitize_options(view, base, false));
    html = clean.html;
    blocked = clean.blocked_remote;
  }
  return json::object{
      {"message_id", view.message_id},
      {"subject", view.subject},
      {"date", view.date ? json::value(format_rfc3339(*view.date)) : json::value(nullptr)},
      {"from", mailboxes_json(view.from)},
      {"to", mailboxes_json(view.to)},
      {"cc", mailboxes_json(view.cc)},
      {"reply_to", mailboxes_json(view.reply_to)},
      {"headers", std::move(headers)},
      {"text", view.text},
      {"html", std::move(html)},
      {"html_url", view.html.empty() ? json::value(nullptr) : json::value(base + "/html")},
      {"blocked_remote", blocked},
      {"raw_url", base + "/raw"},
      {"attachments", std::move(attachments)},
      {"problem", view.problem},
  };
}

Result<bool, FieldError> remote_param(std::string_view query) {
  auto q = QueryParams::parse(query);
  if (!q) return FieldError{"invalid_query", "the query string is malformed", ""};
  auto v = q->get("remote");
  if (!v) return false;
  if (*v != "0" && *v != "1") return FieldError{"invalid_value", "remote is 0 or 1", "remote"};
  return *v == "1";
}

net::HttpResponse html_response(std::string_view raw, const std::string& base, bool remote,
                                std::string_view id_field) {
  auto view = mime::read_view(raw);
  if (view.html.empty())
    return error_response(404, "not_found", "the message has no HTML body", id_field);
  auto clean = mime::sanitize_html(view.html, sanitize_options(view, base, remote));
  net::HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  add_html_headers(r, mime::sanitized_html_csp(remote));
  r.headers.emplace_back("X-Blocked-Remote", std::to_string(clean.blocked_remote));
  r.body = std::move(clean.html);
  return r;
}

net::HttpResponse attachment_response(std::string_view raw, const std::string& part) {
  auto a = mime::attachment_content(raw, part);
  if (!a) {
    return error_response(404, "not_found", "the message has no attachment '" + part + "'", "part");
  }
  net::HttpResponse r;
  // Served as a download, never rendered here: an HTML or SVG attachment
  // would otherwise run in this origin.
  r.content_type = a->content_type.empty() ? "application/octet-stream" : a->content_type;
  r.headers.emplace_back("Content-Disposition",
                         attachment_disposition(a->filename, "attachment-" + part));
  add_html_headers(r, mime::kSanitizedHtmlCsp);
  r.body = std::move(a->content);
  return r;
}

}  // namespace postern::http
