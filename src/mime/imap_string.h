// IMAP strings (RFC 3501 §4.3, §9 "string", "nstring"): how a value is
// written in a server's answer. Shared by the message structure
// (mime/imap_structure.h) and the IMAP server's own answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mime {

// True when `value` may be sent as a quoted string: 7-bit, no NUL, CR or
// LF (RFC 3501 §9 QUOTED-CHAR excludes them), and, as Dovecot writes, no
// '"' or '\\' either: those go in literals rather than escaped. Length
// does not matter (Dovecot quotes a 1,500-octet subject too).
bool is_quotable(std::string_view value);

// Appends `value` as a quoted string when is_quotable, otherwise as a
// synchronising literal ("{5}\r\nhello").
void append_imap_string(std::string& out, std::string_view value);

// Text meant for people (ENVELOPE subject and display names), written as
// Dovecot writes it: quoted as is when is_quotable and no whitespace needs
// changing; otherwise line breaks and tabs become spaces, runs of them one
// space, leading and trailing ones go, NUL becomes 0x80, and the result is
// a literal ("" when nothing is left).
void append_imap_text(std::string& out, std::string_view value);

// Appends NIL for std::nullopt, otherwise as append_imap_string.
void append_imap_nstring(std::string& out, std::optional<std::string_view> value);

inline std::string imap_string(std::string_view value) {
  std::string out;
  append_imap_string(out, value);
  return out;
}

}  // namespace postern::mime
