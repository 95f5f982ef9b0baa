#include "core/percent.h"

#include <boost/url/encode.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace postern {

std::string percent_encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string percent_encode_path(std::string_view s) {
  static constexpr auto kKept = boost::urls::unreserved_chars + '/';
  return boost::urls::encode(s, kKept);
}

Result<std::string> percent_decode(std::string_view s) {
  auto valid = boost::urls::make_pct_string_view(s);
  if (!valid) return error_code(Errc::invalid_argument);
  return valid->decode();
}

Result<QueryPairs> parse_query(std::string_view query) {
  QueryPairs out;
  if (query.empty()) return out;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return error_code(Errc::invalid_argument);
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (auto param : *parsed) {
    if (param.key.empty() && !param.has_value) continue;
    out.emplace_back(param.key.decode(form),
                     param.has_value ? param.value.decode(form) : std::string());
  }
  return out;
}

}  // namespace postern
