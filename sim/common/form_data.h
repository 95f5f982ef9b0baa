// Server-side reading of HTML form bodies: multipart/form-data (RFC 7578 on
// the multipart syntax of RFC 2046 §5.1.1) and
// application/x-www-form-urlencoded, the two encodings Mailgun's send
// endpoints take.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::sim {

struct FormField {
  std::string name;
  std::optional<std::string> filename;  // set for file parts (RFC 7578 §4.2)
  std::string content_type;             // of the part; "" when the part named none
  std::string value;                    // the content, bytes as sent

  bool is_file() const { return filename.has_value(); }
};

// Parses a multipart/form-data body with the given boundary (from the
// Content-Type's boundary parameter). The preamble before the first
// delimiter and the epilogue after the close delimiter are ignored; part
// headers end at the first empty line and may use CRLF or LF. Errors
// (Problem, a short reason): no delimiter, no close delimiter, a part
// without headers end or without a Content-Disposition "form-data" name.
Result<std::vector<FormField>, Problem> parse_multipart(std::string_view body,
                                                        std::string_view boundary);

// Parses "a=1&b=x%20y" ('+' is a space, %XX decoded; core/percent.h).
// Error (Problem): a malformed escape or a character a query cannot hold.
Result<std::vector<FormField>, Problem> parse_urlencoded(std::string_view body);

// Reads a form body by its Content-Type: multipart/form-data (boundary
// required) or application/x-www-form-urlencoded. Any other type yields no
// fields, which the API then reports as missing parameters, as Mailgun does.
Result<std::vector<FormField>, Problem> parse_form(std::string_view content_type,
                                                   std::string_view body);

}  // namespace postern::sim
