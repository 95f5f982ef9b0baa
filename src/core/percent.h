// Percent-encoding (RFC 3986 §2.1) and the query strings and form bodies
// (application/x-www-form-urlencoded) written with it, on Boost.URL: for
// the API's query strings, SigV4's canonical request and the simulator's
// paths and forms.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace postern {

// Every byte outside RFC 3986's unreserved set (ALPHA DIGIT - . _ ~) as
// %XX with upper-case digits: "a b/é" -> "a%20b%2F%C3%A9".
std::string percent_encode(std::string_view s);
// The same, '/' kept: a path, segments encoded one by one.
std::string percent_encode_path(std::string_view s);

// Decodes the %XX escapes; '+' stays '+'. Errc::invalid_argument when a
// '%' is not followed by two hex digits.
Result<std::string> percent_decode(std::string_view s);

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y&c" -> {a, 1}, {b, x y}, {c, ""}: names and values decoded,
// '+' read as a space (as HTML forms write it), empty pairs ("a=1&&b=2")
// skipped, the order kept. Errc::invalid_argument for a malformed escape or
// a character a query cannot hold (RFC 3986 §3.4).
Result<QueryPairs> parse_query(std::string_view query);

}  // namespace postern
