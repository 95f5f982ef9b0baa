// URL allow-list of the HTML sanitiser.
#include "mime/detail/url_policy.h"

#include "core/ascii.h"
#include "core/percent.h"
#include "core/utf8.h"

namespace postern::mime::detail {
namespace {

bool is_c0_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20; }

// The scheme (RFC 3986 §3.1) in lower case, or "" when the URL has none
// (relative, or a ':' after a character no scheme holds).
std::string scheme_of(std::string_view url) {
  std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (std::size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
  }
  return ascii_lowered(url.substr(0, colon));
}

UrlDecision keep(std::string url) { return {UrlVerdict::keep, std::move(url)}; }
UrlDecision drop() { return {UrlVerdict::drop, {}}; }

UrlDecision cid(std::string_view url, const SanitizeOptions& options) {
  if (!options.cid_url) return drop();
  auto id = percent_decode(url.substr(4));  // RFC 2392: "cid:" then the escaped Content-ID
  // A Content-ID is ASCII (RFC 2392); bytes that are not even UTF-8 name no part.
  if (!id || id->empty() || !is_valid_utf8(*id)) return drop();
  std::string target = valid_utf8(options.cid_url(*id));
  if (target.empty()) return drop();
  return keep(std::move(target));
}

}  // namespace

std::string browser_url(std::string_view url) {
  while (!url.empty() && is_c0_or_space(url.front())) url.remove_prefix(1);
  while (!url.empty() && is_c0_or_space(url.back())) url.remove_suffix(1);
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    if (c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

UrlDecision resource_url(std::string_view raw, const SanitizeOptions& options) {
  std::string url = browser_url(raw);
  std::string scheme = scheme_of(url);
  if (scheme == "cid") return cid(url, options);
  if (scheme == "data") {
    return ascii_istarts_with(url, "data:image/") ? keep(std::move(url)) : drop();
  }
  bool remote = scheme == "http" || scheme == "https" || (scheme.empty() && url.starts_with("//"));
  if (!remote) return drop();
  if (!options.allow_remote) return {UrlVerdict::blocked, {}};
  if (scheme == "http") return keep("https" + url.substr(4));
  if (scheme.empty()) return keep("https:" + url);
  return keep(std::move(url));
}

UrlDecision link_url(std::string_view raw, const SanitizeOptions& options) {
  std::string url = browser_url(raw);
  std::string scheme = scheme_of(url);
  if (scheme == "cid") return cid(url, options);
  if (scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "tel") {
    return keep(std::move(url));
  }
  if (scheme.empty() && url.starts_with('#')) return keep(std::move(url));
  if (scheme.empty() && url.starts_with("//")) return keep("https:" + url);
  return drop();
}

}  // namespace postern::mime::detail
