// Charset conversion for decoded headers and bodies, on GLib/GMime iconv.
#include "mime/detail/charset.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/ascii.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at s[i] (shortest form, no
// surrogates, <= U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

std::string replace_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t n = utf8_sequence(bytes, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

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
  return out;
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

bool is_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t n = utf8_sequence(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  bool ascii = std::all_of(bytes.begin(), bytes.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(bytes);
  if (ascii_iequals(charset, "utf-8") || ascii_iequals(charset, "utf8")) return replace_invalid_utf8(bytes);
  if (charset.empty() || ascii_iequals(charset, "us-ascii")) {
    return is_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
  }
  if (!plausible_label(charset)) return is_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
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
  return is_utf8(bytes) ? std::string(bytes) : decode_8bit(bytes);
}

}  // namespace postern::mime::detail
