// The Content-Disposition of a download (RFC 6266): a plain-ASCII filename
// for old clients and the exact UTF-8 name as filename* (RFC 8187).
#pragma once

#include <string>
#include <string_view>

namespace postern::http {

// `attachment; filename="..."; filename*=UTF-8''...`. The ASCII name keeps
// printable ASCII but '"', '\' and '%'; those and each other character are
// written '_'. `fallback` stands in for an empty name.
std::string attachment_disposition(std::string_view filename, std::string_view fallback);

}  // namespace postern::http
