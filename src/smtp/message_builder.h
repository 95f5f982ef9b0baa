// Turns a received SMTP transaction into the store's NewMessage: the trace
// header (RFC 5321 §4.4) prepended, Bcc removed (RFC 5322 §3.6.3), the
// envelope from MAIL FROM / RCPT TO (the envelope, not the headers, decides
// who gets the message), the subject for listings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace postern::smtp {

// What the Received header says about the session.
struct ReceivedInfo {
  std::string helo_name;     // as the client sent it; sanitized when written
  std::string peer_address;  // textual IPv4 or IPv6
  std::string hostname;      // this server
  bool esmtp = true;         // EHLO rather than HELO
  bool tls = false;
  bool authenticated = false;
  bool smtputf8 = false;
  std::string tls_description;  // e.g. "TLSv1.3 with cipher TLS_AES_128_GCM_SHA256"
};

// "Received: from ... by ... with ESMTPSA ...; <date>" with CRLF, folded.
// The protocol name follows RFC 3848 (and RFC 6531 §3.7.3 for UTF8SMTP);
// "for <rcpt>" only when there is one recipient, so that a copy does not
// disclose the others.
std::string received_header(const ReceivedInfo& info, const std::vector<std::string>& recipients,
                            SystemTime now);

struct Submission {
  std::string sender;                   // MAIL FROM, "" for <>
  std::vector<std::string> recipients;  // RCPT TO, in order, without duplicates
  std::string submitted_by;             // principal name; "" for a trusted network
};

// The message to store, or nullopt when its header cannot be parsed at all
// (the caller answers 554 5.6.0). A header that parses but has a bad field
// (e.g. no From) is accepted: the envelope is what gets delivered. Recipient
// kinds (to/cc/bcc) follow the To and Cc headers; other envelope recipients
// are bcc. `data` becomes the content (moved, not copied).
std::optional<store::NewMessage> build_new_message(std::string data, Submission submission,
                                                   const ReceivedInfo& info, SystemTime now);

}  // namespace postern::smtp
