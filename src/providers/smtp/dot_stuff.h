// The DATA payload of a message (RFC 5321 §4.5.2, §2.3.8): CRLF line ends
// everywhere, a '.' doubled at the start of every line, and the terminating
// "<CRLF>.<CRLF>".
#pragma once

#include <string>
#include <string_view>

namespace postern::providers::smtp {

// Bare LF and bare CR become CRLF (they must not be sent, RFC 5321 §2.3.8); a
// message not ending in CRLF gets one before the terminator.
std::string dot_stuff(std::string_view message);

}  // namespace postern::providers::smtp
