// The server-rendered page of a caught message, from mime's reading view and
// sanitiser. No script anywhere: the page works with the CSP it is sent with.
#include "http/message_page.h"

#include <fmt/format.h>

#include "core/time_format.h"
#include "mime/html_sanitize.h"
#include "mime/reading_view.h"

namespace postern::http {
namespace {

using mime::escape_html;

constexpr std::string_view kStyle =
    "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}"
    "main{max-width:980px;margin:0 auto;padding:16px 24px}"
    "table.h{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e7}"
    "table.h th{text-align:right;vertical-align:top;color:#5a6473;width:8em;padding:4px 8px}"
    "table.h td{padding:4px 8px;word-break:break-word}"
    "iframe{width:100%;height:70vh;border:1px solid #dde1e7;background:#fff}"
    "pre{white-space:pre-wrap;background:#fff;border:1px solid #dde1e7;padding:12px}"
    ".note{background:#fff7e0;border:1px solid #f0d58c;padding:6px 10px}"
    "ul.att{background:#fff;border:1px solid #dde1e7;padding:8px 8px 8px 28px}";

std::string addresses(const std::vector<Mailbox>& list) {
  std::string out;
  for (const auto& m : list) {
    if (!out.empty()) out += ", ";
    if (m.name.empty()) {
      out += escape_html(m.address);
    } else if (m.address.empty()) {
      out += escape_html(m.name);
    } else {
      out += escape_html(m.name) + " &lt;" + escape_html(m.address) + "&gt;";
    }
  }
  return out;
}

void header_row(std::string& out, std::string_view name, const std::string& escaped_value) {
  if (escaped_value.empty()) return;
  out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", name, escaped_value);
}

std::string size_text(std::size_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
}

// The sanitised HTML in a frame: srcdoc keeps it on this one page; sandbox
// without allow-scripts and without allow-same-origin gives it no script
// and no access to this page, even if the sanitiser missed something.
void html_body(std::string& out, const mime::ReadingView& view, const MessagePageOptions& options) {
  mime::SanitizeOptions sanitize;
  sanitize.allow_remote = options.allow_remote;
  sanitize.cid_url = [&](std::string_view cid) -> std::string {
    for (const auto& a : view.attachments) {
      if (a.content_id == cid) return options.attachment_url_prefix + a.id;
    }
    return {};
  };
  mime::SanitizedHtml html = mime::sanitize_html(view.html, sanitize);
  if (html.blocked_remote > 0) {
    out += fmt::format("<p class=\"note\">{} remote image{} blocked to protect your privacy.",
                       html.blocked_remote, html.blocked_remote == 1 ? " was" : "s were");
    if (!options.remote_url.empty()) {
      out +=
          fmt::format(" <a href=\"{}\">Load remote content</a>", escape_html(options.remote_url));
    }
    out += "</p>";
  }
  out += fmt::format(
      "<iframe title=\"Message\" sandbox=\"allow-popups allow-popups-to-escape-sandbox\" "
      "referrerpolicy=\"no-referrer\" srcdoc=\"{}\"></iframe>",
      escape_html(html.html));
}

void attachments(std::string& out, const mime::ReadingView& view,
                 const MessagePageOptions& options) {
  if (view.attachments.empty()) return;
  out += "<h2>Attachments</h2><ul class=\"att\">";
  for (const auto& a : view.attachments) {
    std::string name = a.filename.empty() ? "part " + a.id : a.filename;
    out += fmt::format("<li><a href=\"{}\" download=\"{}\">{}</a> ({}, {}{})</li>",
                       escape_html(options.attachment_url_prefix + a.id), escape_html(name),
                       escape_html(name), escape_html(a.content_type), size_text(a.size),
                       a.is_inline ? ", inline" : "");
  }
  out += "</ul>";
}

}  // namespace

MessagePage render_message_page(std::string_view raw, const MessagePageOptions& options) {
  mime::ReadingView view = mime::read_view(raw);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += fmt::format("<title>{}</title>",
                     escape_html(view.subject.empty() ? "(no subject)" : view.subject));
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += fmt::format("<style>{}</style></head><body><main>", kStyle);
  out +=
      fmt::format("<h1>{}</h1>", escape_html(view.subject.empty() ? "(no subject)" : view.subject));
  out += "<table class=\"h\">";
  header_row(out, "From", addresses(view.from));
  header_row(out, "To", addresses(view.to));
  header_row(out, "Cc", addresses(view.cc));
  header_row(out, "Bcc", addresses(view.bcc));
  header_row(out, "Reply-To", addresses(view.reply_to));
  header_row(
      out, "Date",
      view.date ? escape_html(format_utc(*view.date, "%Y-%m-%d %H:%M:%S UTC")) : std::string());
  header_row(out, "Message-ID", escape_html(view.message_id));
  out += "</table>";
  if (!options.raw_url.empty()) {
    out += fmt::format("<p><a href=\"{}\">View source</a></p>", escape_html(options.raw_url));
  }
  if (!view.problem.empty())
    out += fmt::format("<p class=\"note\">{}</p>", escape_html(view.problem));
  if (!view.html.empty()) html_body(out, view, options);
  if (!view.text.empty()) {
    // The text is the body when there is no HTML, an alternative otherwise.
    out += view.html.empty() ? "<pre>" : "<details><summary>Plain text</summary><pre>";
    out += escape_html(view.text);
    out += view.html.empty() ? "</pre>" : "</pre></details>";
  }
  if (view.html.empty() && view.text.empty())
    out += "<p class=\"note\">This message has no text.</p>";
  attachments(out, view, options);
  out += "<details><summary>All header fields</summary><table class=\"h\">";
  for (const auto& h : view.headers) header_row(out, escape_html(h.name), escape_html(h.value));
  out += "</table></details></main></body></html>\n";
  return {std::move(out), mime::sanitized_html_csp(options.allow_remote)};
}

}  // namespace postern::http
