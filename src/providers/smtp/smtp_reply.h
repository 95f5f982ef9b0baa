// SMTP replies as the relay client reads them (sans-io): lines in, complete
// replies out (RFC 5321 §4.2: "250-..." continues, "250 ..." ends), the
// enhanced status code (RFC 3463) and the EHLO keywords (§4.1.1.1).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::providers::smtp {

struct SmtpReply {
  int code = 0;                    // 3 digits
  std::string enhanced;            // "5.1.1" when the first line starts with one, else ""
  std::vector<std::string> lines;  // text after "NNN-" / "NNN ", per line
  bool positive() const { return code >= 200 && code < 400; }
  // "550 5.1.1 no such user" (all lines joined by "; "), for details.
  std::string summary() const;
  // "550 5.1.1" or "550": the SendResult code.
  std::string code_text() const;
};

// Assembles replies from lines (without CRLF). Returns a reply when `line`
// ends one, nullopt while more lines are expected. A line that is not
// "NNN", "NNN-text" or "NNN text", or a continuation whose code differs from
// the first line's, makes the reply malformed (error() is then set and the
// connection must be dropped).
class ReplyParser {
 public:
  std::optional<SmtpReply> feed(std::string_view line);
  bool error() const { return error_; }

 private:
  SmtpReply pending_;
  bool error_ = false;
};

// What a server offers in its EHLO reply.
struct Capabilities {
  bool esmtp = false;  // EHLO worked (else HELO: no extensions)
  bool pipelining = false;
  bool starttls = false;
  bool smtputf8 = false;
  bool eight_bit_mime = false;
  bool auth_plain = false;
  bool auth_login = false;
  bool size_offered = false;
  std::size_t size_limit = 0;  // 0: SIZE without a limit, or not offered
};

// Reads the keywords of a 250 EHLO reply (the first line is the greeting).
Capabilities parse_capabilities(const SmtpReply& ehlo);

}  // namespace postern::providers::smtp
