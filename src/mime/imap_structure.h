// What an IMAP server answers about a stored message (RFC 3501 §7.4.2):
// ENVELOPE, BODYSTRUCTURE and BODY, computed from the raw RFC 5322 bytes.
// The inbox computes them once at delivery (store::BlobSummary), so FETCH
// never parses a message for them.
//
// The answers follow RFC 3501 §9 and, where the RFC leaves a choice, what
// Dovecot 2.3 answers (the tests compare with it byte for byte):
// - a header that is absent is NIL, one present but empty is "";
// - header text is the raw value without its line breaks: RFC 2047
//   encoded-words stay encoded, 8-bit text is sent as a literal;
// - media types, subtypes, parameter names and encodings keep the case they
//   are written in; a part without Content-Type is "text" "plain"
//   ("charset" "us-ascii") (RFC 2045 §5.2), in multipart/digest
//   "message" "rfc822"; the default encoding is "7bit";
// - sizes count the octets stored, line counts their LFs.
#pragma once

#include <string>
#include <string_view>

namespace postern::mime {

struct ImapStructure {
  std::string envelope;  // "(date subject from sender reply-to to cc bcc in-reply-to message-id)"
  std::string body_structure;  // BODYSTRUCTURE: with extension data
  std::string body;            // BODY: without extension data
};

// Never fails: any input gives well-formed answers (balanced parentheses,
// strings quoted or sent as literals). Linear in the size of the message,
// times its nesting (at most detail::kMaxDepth levels are walked).
// Thread-safe; needs no GMime.
ImapStructure imap_structure(std::string_view raw);

// The ENVELOPE alone (it reads only the header).
std::string imap_envelope(std::string_view raw);

}  // namespace postern::mime
