#include "http/content_disposition.h"

#include "core/percent.h"

namespace postern::http {

std::string attachment_disposition(std::string_view filename, std::string_view fallback) {
  if (filename.empty()) filename = fallback;
  std::string ascii;
  for (unsigned char c : filename) {
    if (c >= 0x80 && c < 0xc0) continue;  // a UTF-8 continuation: one '_' per character
    bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%';
    ascii += plain ? static_cast<char>(c) : '_';
  }
  // percent_encode leaves only RFC 3986's unreserved bytes, a subset of
  // RFC 8187's attr-char: always a valid ext-value.
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + percent_encode(filename);
}

}  // namespace postern::http
