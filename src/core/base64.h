// Standard base64 (RFC 4648 §4), used for attachments in the JSON API,
// HTTP Basic credentials and provider payloads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern {

std::string base64_encode(std::string_view bytes);

// Decodes standard base64 with optional padding; ASCII whitespace (line
// breaks of wrapped input) is skipped. Returns nullopt on any other byte or a
// length that cannot be base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern
