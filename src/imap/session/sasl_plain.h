// The PLAIN SASL message (RFC 4616 §2): [authzid] NUL authcid NUL passwd.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

struct PlainCredentials {
  std::string user;
  std::string password;
};

// The credentials of a decoded PLAIN message; nullopt when it is not one,
// when the user is empty, or when it asks to act as another user (an
// authorization identity other than its own: no account may).
std::optional<PlainCredentials> parse_sasl_plain(std::string_view message);

}  // namespace postern::imap
