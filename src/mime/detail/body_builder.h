// The MIME body entity of build_message (RFC 2045-2049, RFC 2387): the
// Content-* header fields of the root part, a blank line, then the content.
#pragma once

#include <string>
#include <string_view>

#include "core/message.h"

namespace postern::mime::detail {

// Builds the entity for `message` with CRLF line ends:
//   text only -> text/plain; html only -> text/html; both ->
//   multipart/alternative; inline attachments go with the html under
//   multipart/related (type="text/html"); other attachments (and inline
//   ones when there is no html) go under multipart/mixed around the rest.
// Text parts are charset=utf-8, 7bit when every line is short printable
// ASCII, quoted-printable otherwise; attachments are base64 (composite
// types, which RFC 2046 §5 forbids to encode, are sent 7bit/8bit when they
// are clean, else as application/octet-stream; so are types with names over
// RFC 6838's 127 characters; content ids over 900 octets are left out, as
// no line could hold them). Boundaries are derived from
// `boundary_seed` (the Message-ID), so the output is deterministic.
std::string build_body(const Message& message, std::string_view boundary_seed);

// Line ends of text as Postern stores it: CRLF and bare CR become LF.
std::string normalize_newlines(std::string_view text);

}  // namespace postern::mime::detail
