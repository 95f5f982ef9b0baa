// HTML of caught mail made safe to preview in a browser: parsed as a
// browser parses it (Gumbo, the HTML5 algorithm) and written back from an
// allow-list, so that nothing executable and, unless asked, nothing remote
// survives. The HTTP layer serves the result with kSanitizedHtmlCsp (or
// kSanitizedHtmlRemoteCsp), which forbids the same things a second time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace postern::mime {

struct SanitizeOptions {
  // Keep remote images and CSS backgrounds (http: ones are written as
  // https:, the only remote scheme the CSP lets load). Off by default: a
  // remote image tells its sender when and where the mail was read.
  bool allow_remote = false;
  // The URL an inline part is served at, for a "cid:" reference (RFC 2392;
  // the Content-ID is given percent-decoded, without brackets); "" when the
  // message has no such part, and the reference is dropped. Unset: every
  // cid: reference is dropped. Its result is written as it is (escaped).
  std::function<std::string(std::string_view content_id)> cid_url;
};

struct SanitizedHtml {
  // A complete document (<!DOCTYPE html>, the mail's <style> elements in its
  // head, its body), UTF-8.
  std::string html;
  // Remote resources left out that allow_remote would have kept (images,
  // backgrounds, srcset, CSS url() and @import): when non-zero, the UI may
  // offer "load remote content". Always 0 with allow_remote.
  std::size_t blocked_remote = 0;
};

// What is kept: the elements and attributes of formatted mail (text,
// lists, tables, images, links; <font>, bgcolor and the like) and inline
// CSS with its dangerous parts taken out (detail/css_sanitize.h). What goes:
// - script, iframe, object, embed, applet, frames, form controls' data,
//   svg, math, template, noscript, head's meta/base/link/title: with their
//   content; forms and unknown elements: the element only, their text stays;
// - every on* and every attribute not on the allow-list; comments;
// - URLs other than http(s):, mailto:, tel:, #fragments (links) and cid:,
//   data:image/ (images); javascript:, vbscript:, data:text/html, ...
//   whatever their case, entities or embedded tabs;
// - remote images unless allow_remote (counted in blocked_remote).
// Links open in a new window without referrer (target=_blank, rel=noopener
// noreferrer). Input that is not UTF-8 has its bad bytes replaced; NUL
// bytes go. Safe on any input; linear in its size.
SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options = {});

// `text` with '&', '<', '>' and '"' written as entities (NUL bytes
// dropped): safe in HTML text and in a double-quoted attribute value, for
// the pages that show mail (the header fields, a text body, file names).
std::string escape_html(std::string_view text);

// The Content-Security-Policy to send with sanitised HTML, and with the page
// that embeds it (an <iframe srcdoc> inherits its parent's policy). Each
// directive, and why:
//   default-src 'none'    nothing loads or runs unless named below: no
//                         script, font, media, object, frame, connection;
//   img-src 'self' data:  the message's own inline parts (cid: references
//                         rewritten to this server's attachment URLs) and
//                         data:image/ URIs, nothing remote;
//   style-src 'unsafe-inline'
//                         mail is styled with <style> and style="", which
//                         the sanitiser has cleaned; no stylesheet loads;
//   base-uri 'none'       no <base> may redirect relative URLs;
//   form-action 'none'    no form can post anything anywhere;
//   frame-ancestors 'self'
//                         only Postern's own pages may frame it;
//   sandbox allow-popups allow-popups-to-escape-sandbox allow-downloads
//                         opened on its own, the HTML (or the page framing
//                         it) still runs in a unique origin with no
//                         scripts; links may open in a new window, which is
//                         then a normal page, and attachment links download.
inline constexpr std::string_view kSanitizedHtmlCsp =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox allow-popups "
    "allow-popups-to-escape-sandbox allow-downloads";

// The same when the reader asked for remote content (allow_remote): img-src
// adds https: only, so a remote image is never fetched in clear text.
inline constexpr std::string_view kSanitizedHtmlRemoteCsp =
    "default-src 'none'; img-src 'self' data: https:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups "
    "allow-popups-to-escape-sandbox allow-downloads";

inline std::string_view sanitized_html_csp(bool allow_remote) {
  return allow_remote ? kSanitizedHtmlRemoteCsp : kSanitizedHtmlCsp;
}

}  // namespace postern::mime
