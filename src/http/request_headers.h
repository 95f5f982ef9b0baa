// A request header that may be absent, where absence means something else
// than an empty value (Accept-Encoding: absent, any coding; empty, none).
// net::HttpRequest::header cannot tell them apart.
#pragma once

#include <optional>
#include <string_view>

#include "core/ascii.h"
#include "net/http_message.h"

namespace postern::http {

// The first header of that name (case-insensitive), or nullopt.
inline std::optional<std::string_view> find_header(const net::HttpRequest& request,
                                                   std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (ascii_iequals(k, name)) return v;
  }
  return std::nullopt;
}

}  // namespace postern::http
