// Removal of Bcc fields on the raw bytes (RFC 5322 §3.6.3), so that
// everything else, signatures included, goes out byte for byte.
#include "core/ascii.h"
#include "mime/detail/header_section.h"
#include "mime/mime.h"

namespace postern::mime {

std::string strip_bcc(std::string_view raw) {
  detail::HeaderSection section = detail::scan_header(raw);
  std::string out;
  out.reserve(raw.size());
  std::size_t pos = 0;
  for (const auto& field : section.fields) {
    if (!ascii_iequals(field.name, "bcc")) continue;
    out.append(raw.substr(pos, field.begin - pos));
    pos = field.end;  // the field with all its continuation lines
  }
  out.append(raw.substr(pos));
  return out;
}

}  // namespace postern::mime
