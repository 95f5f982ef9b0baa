// The body of a multi-line POP3 response (RFC 1939 §3) from a stored
// message: every line ends with CRLF (a stored bare LF or CR becomes one),
// a line that starts with '.' gets another one in front (byte-stuffing),
// and the terminating ".\r\n" closes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::pop3 {

// Appends `content` as above. With `body_lines` (TOP, RFC 1939 §7): only
// the header, the blank line after it and that many lines of the body.
void append_message(std::string& out, std::string_view content,
                    std::optional<std::uint64_t> body_lines = std::nullopt);

}  // namespace postern::pop3
