// The message model: what an application asks Postern to send, in structured
// form (from the JSON API) or as a raw RFC 5322 message (raw HTTP body, SMTP).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/address.h"

namespace postern {

struct Attachment {
  std::string filename;
  std::string content_type = "application/octet-stream";
  std::string content;     // decoded bytes
  std::string content_id;  // for inline parts referenced as cid:...
  bool is_inline = false;
  bool operator==(const Attachment&) const = default;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Message {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> bcc;
  std::vector<Mailbox> reply_to;
  std::string subject;
  std::string text;
  std::string html;
  HeaderList headers;  // extra headers, validated (no structural ones)
  std::vector<Attachment> attachments;
  std::vector<std::string> tags;
  HeaderList metadata;  // string key -> string value, in submission order
  bool operator==(const Message&) const = default;
};

// How the stored content of a message is encoded. Stored on disk as its
// number (messages.format): a number must never change nor be reused
// (tests/unit/store/stored_values_test.cpp pins them).
enum class ContentFormat : std::uint8_t {
  json = 0,  // the validated JSON of POST /v1/messages
  mime = 1,  // a raw RFC 5322 message (HTTP message/rfc822, SMTP)
};

// Stored on disk as its digit before each address of messages.recipients
// (store/codec.h; schema migration 5 wrote the same digits): a
// number must never change nor be reused, and stays one digit
// (tests/unit/store/stored_values_test.cpp pins them).
enum class RecipientKind : std::uint8_t { to = 0, cc = 1, bcc = 2 };

struct Recipient {
  std::string address;
  RecipientKind kind = RecipientKind::to;
  bool operator==(const Recipient&) const = default;
};

// Who a message goes to and from, as SMTP would see it (RFC 5321 envelope).
struct Envelope {
  std::string sender;  // MAIL FROM; may be empty for bounces
  std::vector<Recipient> recipients;
};

// Envelope of a structured message: recipients of to, cc and bcc with
// duplicates (by normalized address) removed, first occurrence kept.
Envelope envelope_of(const Message& message);

}  // namespace postern
