// The user names and passwords of new test accounts, drawn from libsodium's
// random source. Names are readable ("brave-otter-4821": adjective, noun,
// four digits; 64 × 64 × 10,000 ≈ 41 million of them) so that a person can
// tell accounts apart in a list and type one; they are not secret. The
// password is: 24 characters of an alphabet without look-alikes (about 140
// bits), safe unquoted in an IMAP atom, a URL and a shell.
#pragma once

#include <string>
#include <string_view>

namespace postern::inbox {

// adjective-noun-NNNN, all lower-case ASCII.
std::string generate_user_name();
std::string generate_password();

}  // namespace postern::inbox
