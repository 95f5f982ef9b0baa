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
  return clip_utf8(body);
}

}  // namespace postern::providers::common
