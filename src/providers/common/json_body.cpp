#include "providers/common/json_body.h"

#include <boost/json/parse.hpp>

#include "core/utf8.h"

namespace postern::providers::common {

namespace json = boost::json;

std::optional<json::object> parse_json_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string string_member(const json::object& object,
                          std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    if (const auto* v = object.if_contains(key); v && v->is_string())
      return std::string(v->as_string());
  }
  return "";
}

std::optional<std::int64_t> int_member(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double() &&
      v->as_double() == static_cast<double>(static_cast<std::int64_t>(v->as_double()))) {
    return static_cast<std::int64_t>(v->as_double());
  }
  return std::nullopt;
}

std::string error_text(std::string_view body, std::initializer_list<std::string_view> keys) {
  if (auto object = parse_json_object(body)) {
    auto text = string_member(*object, keys);
    if (!text.empty()) return text;
  }
  return clip(body);
}

std::string clip(std::string_view text, std::size_t max) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  // Details are kept in events and served as JSON: bytes that are not
  // UTF-8 (a Latin-1 error page) become U+FFFD.
  if (text.size() <= max) return valid_utf8(text);
  std::size_t cut = max;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return valid_utf8(text.substr(0, cut)) + "...";
}

}  // namespace postern::providers::common
