// Pieces of a message that the JSON-only APIs (SendGrid, Postmark; SES for
// its Destination) rebuild the same way: recipients by kind from the
// envelope, attachment names, which headers an API may be given; and the
// answer every provider gives for a message it cannot render.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/message.h"
#include "providers/provider.h"

namespace postern::providers::common {

struct RecipientLists {
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> bcc;
};

// The envelope's recipients grouped by kind — the envelope, not the
// headers, says who gets the message (for raw mail, Bcc exists only there)
// — each with the display name `names` gives that address, if any, and each
// address once (first occurrence kept).
RecipientLists recipients_of(const Envelope& envelope, const Message* names);

// "a@x.org, Name <b@y.org>" (RFC 5322 address list).
std::string join_mailboxes(const std::vector<Mailbox>& list);

// The attachment's file name, or "attachment-<n>" (1-based) when it has
// none: these APIs require one.
std::string attachment_name(const Attachment& attachment, std::size_t index);

// Headers an API builds itself from its own fields (addressing, subject,
// structure, transport); passing them as custom headers is refused by the
// APIs or would contradict the fields.
bool is_structural_header(std::string_view name);

// The stored message cannot be decoded (Errc::corrupt from structured() or
// mime()): permanent, with kCorruptMessageCode so that it is quarantined.
SendResult unreadable_message(const error_code& ec);

}  // namespace postern::providers::common
