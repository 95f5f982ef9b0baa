#include "http/query.h"

#include <boost/url/parse_query.hpp>

namespace postern::http {

Result<QueryParams> QueryParams::parse(std::string_view query) {
  QueryParams out;
  if (query.empty()) return out;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return error_code(Errc::invalid_argument);
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : *parsed) {
    out.values_.emplace_back(param.key.decode(opts),
                             param.has_value ? param.value.decode(opts) : std::string());
  }
  return out;
}

std::optional<std::string> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace postern::http
