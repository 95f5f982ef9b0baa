// What RETR and TOP send of a stored message (RFC 1939 §7). Both go out
// byte-stuffed through core's append_dot_stuffed (CRLF line ends, leading
// dots doubled, the terminating line); TOP sends only the beginning.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::pop3 {

// The header, the blank line after it and `body_lines` lines of the body:
// the prefix of `content` that TOP sends. CRLF, a bare LF and a bare CR
// each end a line, as append_dot_stuffed reads them.
std::string_view top_of(std::string_view content, std::uint64_t body_lines);

}  // namespace postern::pop3
