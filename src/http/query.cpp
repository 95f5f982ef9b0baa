#include "http/query.h"

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

}  // namespace postern::http
