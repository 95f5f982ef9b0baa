#include "http/query.h"

#include "core/decimal.h"
#include "core/percent.h"

namespace postern::http {

Result<QueryParams> QueryParams::parse(std::string_view query) {
  auto pairs = parse_query(query);
  if (!pairs) return pairs.error();
  QueryParams out;
  out.values_ = std::move(*pairs);
  return out;
}

std::optional<std::string> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Result<std::size_t, FieldError> page_limit(const QueryParams& q, std::size_t fallback,
                                           std::size_t max) {
  auto v = q.get("limit");
  if (!v) return fallback;
  auto n = parse_decimal<std::size_t>(*v);
  if (!n || *n == 0 || *n > max)
    return FieldError{"invalid_value", "limit must be from 1 to " + std::to_string(max), "limit"};
  return *n;
}

}  // namespace postern::http
