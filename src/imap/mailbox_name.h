// Mailbox names on the wire (RFC 3501 §5.1.3): modified UTF-7, where
// printable ASCII stands for itself, "&-" for "&", and anything else is
// UTF-16 in a base64 variant between "&" and "-" ("Entw&APw-rfe" is
// "Entwürfe"). Postern keeps names as UTF-8 and converts at the protocol's
// edge: a client's name with decode_mailbox_name, a name in a LIST or
// STATUS reply with encode_mailbox_name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

// The UTF-8 name that `wire` encodes, or nullopt when `wire` is not
// modified UTF-7 in the one form RFC 3501 allows (8-bit bytes, an
// unterminated or empty shift, a printable ASCII character in base64,
// two shifts in a row, padding bits that are not zero).
std::optional<std::string> decode_mailbox_name(std::string_view wire);

// `utf8` as modified UTF-7; nullopt when it is not well-formed UTF-8.
std::optional<std::string> encode_mailbox_name(std::string_view utf8);

}  // namespace postern::imap
