// Content negotiation for the gateway's compressed answers (the web UI's
// precompressed files, docs/ui.md): which content coding a request's
// Accept-Encoding (RFC 9110 §12.5.3) lets the server use. Sans-io; the
// header is outside input, so it is parsed into its elements and q-values
// rather than searched for substrings ("gzip;q=0" refuses gzip).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postern::http {

// One element of Accept-Encoding: a coding (lower-cased; "x-gzip" read as
// "gzip", RFC 9110 §8.4.1.3) or "*", and its weight in thousandths
// (q=0.5 is 500; no q is 1000).
struct AcceptedCoding {
  std::string coding;
  int weight = 1000;
  bool operator==(const AcceptedCoding&) const = default;
};

// The elements of an Accept-Encoding value, in order. An element that does
// not parse (a bad token, a q-value out of range or with more than three
// decimals, a bad parameter) is left out, as if not sent: the others
// still count.
std::vector<AcceptedCoding> parse_accept_encoding(std::string_view value);

// The coding to answer with, among `available` (lower case, in the
// server's order of preference, e.g. {"br", "gzip"}), for a request whose
// Accept-Encoding is `value` (nullopt when the header is absent).
// Returns "" for no coding (identity): when the header is absent or
// empty, when no available coding has a weight above zero, or when
// identity weighs more than the best of them. Ties go to the server's
// order, a coding before identity (smaller). A request refusing identity
// too (identity;q=0) still gets identity when nothing else is acceptable:
// the gateway then serves the file as it is rather than a 406 (RFC 9110
// lets it).
std::string_view choose_content_coding(std::optional<std::string_view> value,
                                       std::span<const std::string_view> available);

}  // namespace postern::http
