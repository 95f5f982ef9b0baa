#include "mime/date.h"

#include <gmime/gmime.h>

#include <memory>

#include "core/time_format.h"

namespace postern::mime {
namespace {

struct DateTimeUnref {
  void operator()(GDateTime* d) const { g_date_time_unref(d); }
};
using DateTimePtr = std::unique_ptr<GDateTime, DateTimeUnref>;

}  // namespace

std::string format_date(SystemTime t) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  DateTimePtr date(g_date_time_new_from_unix_utc(seconds));
  std::unique_ptr<char, decltype(&g_free)> text(g_mime_utils_header_format_date(date.get()),
                                                &g_free);
  return text.get();
}

std::optional<SystemTime> parse_date(std::string_view text) {
  const std::string terminated(text);  // GMime reads a C string
  DateTimePtr date(g_mime_utils_header_decode_date(terminated.c_str()));
  if (!date) return std::nullopt;
  return from_unix_seconds(g_date_time_to_unix(date.get()));
}

}  // namespace postern::mime
