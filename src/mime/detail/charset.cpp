// Charset conversion for decoded headers and bodies, on GLib/GMime iconv.
#include "mime/detail/charset.h"

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/utf8.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

// GMime's heuristic works on C strings, so NUL-separated runs are converted
// one at a time to keep what follows a NUL.
std::string decode_8bit(std::string_view bytes) {
  std::string out;
  std::size_t start = 0;
  while (start <= bytes.size()) {
    std::size_t nul = bytes.find('\0', start);
    std::size_t end = nul == std::string_view::npos ? bytes.size() : nul;
    std::string_view run = bytes.substr(start, end - start);
    if (!run.empty()) {
      GCharPtr converted(g_mime_utils_decode_8bit(nullptr, run.data(), run.size()));
      out += to_string(converted.get());
    }
    if (nul == std::string_view::npos) break;
    out.push_back('\0');
    start = nul + 1;
  }
  // GMime's guess can hand back invalid UTF-8 (seen with bytes such as
  // F6 AB 90 BC, which it passed through unchanged).
  return valid_utf8(out);
}

// A label GMime may be handed: RFC 2978 mime-charset characters and at most
// 64 of them (IANA names have at most 40). GMime copies labels onto the
// stack (g_mime_charset_iconv_name uses alloca), so a hostile label of a few
// megabytes would overflow it.
bool plausible_label(std::string_view label) {
  if (label.empty() || label.size() > 64) return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u)) ||
           std::string_view("!#$%&'+-^_`{}~.:").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  bool ascii = std::all_of(bytes.begin(), bytes.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(bytes);
  if (ascii_iequals(charset, "utf-8") || ascii_iequals(charset, "utf8")) return valid_utf8(bytes);
  if (charset.empty() || ascii_iequals(charset, "us-ascii")) {
    return is_valid_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
  }
  if (!plausible_label(charset))
    return is_valid_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
  std::string label(charset);
  const char* iconv_name = g_mime_charset_iconv_name(label.c_str());
  gsize written = 0;
  GError* error = nullptr;
  gchar* converted =
      g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8",
                iconv_name != nullptr ? iconv_name : label.c_str(), nullptr, &written, &error);
  if (converted != nullptr && error == nullptr) {
    std::string out(converted, written);
    g_free(converted);
    return out;
  }
  g_free(converted);
  if (error != nullptr) g_error_free(error);
  return is_valid_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
}

}  // namespace postern::mime::detail
