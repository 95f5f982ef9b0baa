// Removal of Bcc fields on the raw bytes (RFC 5322 §3.6.3), so that
// everything else, signatures included, goes out byte for byte.
#include <algorithm>

#include "core/ascii.h"
#include "mime/detail/header_section.h"
#include "mime/mime.h"

namespace postern::mime {
namespace {

// Calls `keep(begin, end)` for each range of `raw` outside its Bcc fields,
// in order.
template <class Keep>
void each_kept_range(std::string_view raw, Keep keep) {
  detail::HeaderSection section = detail::scan_header(raw);
  std::size_t pos = 0;
  for (const auto& field : section.fields) {
    if (!ascii_iequals(field.name, "bcc")) continue;
    keep(pos, field.begin);
    pos = field.end;  // the field with all its continuation lines
  }
  keep(pos, raw.size());
}

}  // namespace

void append_without_bcc(std::string& out, std::string_view raw) {
  out.reserve(out.size() + raw.size());
  each_kept_range(raw, [&](std::size_t b, std::size_t e) { out.append(raw.substr(b, e - b)); });
}

std::string strip_bcc(std::string_view raw) {
  std::string out;
  append_without_bcc(out, raw);
  return out;
}

void strip_bcc_and_prepend(std::string& raw, std::string_view header) {
  // Bcc fields lie in the header, a few KiB at most: the part up to the
  // last of them is rebuilt behind `header`; the rest stays where it is,
  // moved only when the front grew beyond the buffer's spare room.
  std::string front(header);
  std::size_t tail = 0;
  each_kept_range(raw, [&](std::size_t b, std::size_t e) {
    if (e == raw.size()) {
      tail = b;  // the last range: everything after the last Bcc field
      return;
    }
    front.append(raw, b, e - b);
  });
  raw.replace(0, tail, front);
}

}  // namespace postern::mime
