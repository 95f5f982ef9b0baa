// The plain server-rendered page of a caught message (issue #27:
// `<web>/message/<id>` answers 200 with the message until the web UI
// exists): the header fields, the HTML sanitised in a sandboxed frame, the
// text, the attachments. A pure function of the stored bytes; the route
// that serves it is wired with the inbox's HTTP API.
#pragma once

#include <string>
#include <string_view>

namespace postern::http {

struct MessagePageOptions {
  // Where attachment `id` (mime::ReadingAttachment::id) is served:
  // attachment_url_prefix + id, e.g. "/message/0ABC/attachments/" + "2".
  // cid: images of the HTML point there too.
  std::string attachment_url_prefix;
  std::string raw_url;        // the message's source (message/rfc822); "" for no link
  bool allow_remote = false;  // load the remote images the reader asked for
  // The page again with remote content, linked when some was blocked;
  // "" for no link.
  std::string remote_url;
};

struct MessagePage {
  std::string html;  // text/html; charset=utf-8
  // The Content-Security-Policy header the page must be sent with
  // (mime::sanitized_html_csp: the framed HTML inherits it).
  std::string_view content_security_policy;
};

// Renders the page for `raw` (any bytes: a message that cannot be read
// shows what can be). Every piece of the message is escaped; the HTML
// body is sanitised (mime::sanitize_html) and framed with srcdoc in an
// iframe sandboxed without scripts.
MessagePage render_message_page(std::string_view raw, const MessagePageOptions& options);

}  // namespace postern::http
