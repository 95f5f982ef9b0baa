// Standard base64 (RFC 4648 §4), used for attachments in the JSON API,
// HTTP Basic credentials and provider payloads. On libsodium's codec.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern {

// With padding, no line breaks.
std::string base64_encode(std::string_view bytes);

// Decodes standard base64, padded or not (a padded text must be padded
// correctly); ASCII blanks and line breaks (of wrapped input) are skipped.
// Returns nullopt for any other byte, a length that cannot be base64,
// data after the padding, or a last symbol whose unused bits are not zero
// (a non-canonical encoding, RFC 4648 §3.5).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern
