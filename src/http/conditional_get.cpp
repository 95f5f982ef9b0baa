#include "http/conditional_get.h"

#include <chrono>

#include "core/header_value.h"
#include "mime/date.h"

namespace postern::http {
namespace {

// The opaque part of an entity tag, quotes included, without W/.
std::string_view opaque(std::string_view etag) {
  return etag.starts_with("W/") ? etag.substr(2) : etag;
}

// RFC 9110 §8.8.3 etagc: '!' or '#'..'~' or obs-text; not '"'.
bool is_etagc(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7F);
}

}  // namespace

bool etag_list_matches(std::string_view list, std::string_view etag) {
  list = trim_blanks(list);
  if (list == "*") return true;
  auto want = opaque(etag);
  // entity-tags separated by commas and blanks; etagc may hold a comma, so
  // the list is scanned tag by tag rather than split.
  while (!list.empty()) {
    while (!list.empty() && (list.front() == ',' || list.front() == ' ' || list.front() == '\t'))
      list.remove_prefix(1);
    if (list.empty()) break;
    std::size_t start = list.starts_with("W/") ? 2 : 0;
    if (list.size() <= start || list[start] != '"') return false;
    auto end = start + 1;
    while (end < list.size() && is_etagc(list[end])) ++end;
    if (end >= list.size() || list[end] != '"') return false;
    if (list.substr(start, end + 1 - start) == want) return true;
    list.remove_prefix(end + 1);
  }
  return false;
}

bool not_modified(std::optional<std::string_view> if_none_match,
                  std::optional<std::string_view> if_modified_since, std::string_view etag,
                  SystemTime modified) {
  if (if_none_match) return etag_list_matches(*if_none_match, etag);
  if (!if_modified_since) return false;
  auto since = mime::parse_date(*if_modified_since);
  return since && std::chrono::floor<std::chrono::seconds>(modified) <= *since;
}

}  // namespace postern::http
