// Sans-io SMTP session of the simulated smarthost (RFC 5321 with PIPELINING,
// SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, STARTTLS per RFC 3207 and
// AUTH PLAIN/LOGIN per RFC 4954): command lines in, replies and actions out.
// Postern's own sans-io parsers (smtp/parser, smtp/sasl.h) read the bytes;
// relay_server.cpp moves them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/line_reader.h"
#include "sim/common/capture.h"
#include "sim/common/fault_state.h"
#include "smtp/parser/body_scanner.h"
#include "smtp/parser/data_reader.h"
#include "smtp/sasl.h"

namespace postern::sim {

struct RelaySettings {
  std::string hostname = "smtp.sim.postern.invalid";
  std::size_t max_message_bytes = 50 * 1024 * 1024;  // announced with SIZE
  // Recipients one transaction takes; past them RCPT gets 452 4.5.3
  // (RFC 5321 §4.5.3.1.10). Postfix's smtpd_recipient_limit is 1000.
  std::size_t max_recipients = 1000;
  // AUTH is required before MAIL when a user is set; without one any
  // credentials pass and AUTH is optional.
  std::string user;
  std::string password;
  bool tls_available = false;  // a certificate is configured: STARTTLS offered
};

class RelaySession {
 public:
  enum class Action {
    reply,      // write the reply, read on
    close,      // write the reply, then close the connection
    start_tls,  // write the reply, then the TLS handshake, then tls_started()
    read_data,  // write the reply (354), then feed_data() until done
  };
  struct Step {
    std::string reply;  // complete reply lines with CRLF; may be empty
    Action action = Action::reply;
  };
  // A complete message after DATA, ready to be judged by the faults.
  struct Message {
    SmtpEnvelope envelope;
    std::string content;  // dot-unstuffed, CRLF line ends
  };

  // `faults` supplies the reject patterns and the auth_fail switch; both are
  // read on every command, so control API changes apply at once.
  RelaySession(const RelaySettings& settings, const FaultState& faults);

  std::string greeting() const;

  // One command line without its CRLF (or the answer to an AUTH challenge).
  Step on_line(std::string_view line);
  // A line that LineReader refused (too long, bare CR or LF).
  Step on_bad_line(LineEvent::Kind kind);

  // In the DATA phase: unstuffs input into the message (RFC 5321 §4.5.2).
  smtp::DataReader::Progress feed_data(std::string_view input);
  // After feed_data reported done: the message, or the refusal when its
  // content broke a rule (size, bare newline, long line). Either way the
  // transaction is over (recipients cleared, ready for the next MAIL).
  std::variant<Message, Step> finish_data();

  // After a successful handshake: RFC 3207 §4.2, the client starts over
  // with EHLO and any earlier AUTH is forgotten.
  void tls_started();

  // The session's "250 2.0.0 Ok: queued as <id>" reply.
  static std::string queued_reply(std::string_view queue_id);
  // The reply of the error fault for an SMTP code (0: 451). Codes below 400
  // become 451; 421 means the server closes the connection after it.
  static std::string fault_reply(int code);

 private:
  Step command(std::string_view line);
  Step ehlo(std::string_view domain, bool extended);
  Step auth(std::string_view mechanism, const std::optional<std::string>& initial);
  Step sasl_step(const smtp::SaslExchange::Step& step);
  Step mail(const std::string& path, std::optional<std::uint64_t> size);
  Step rcpt(const std::string& path);
  Step data();
  void reset_transaction();

  const RelaySettings& settings_;
  const FaultState& faults_;
  std::string helo_;
  bool greeted_ = false;
  bool tls_ = false;
  std::string auth_user_;
  std::optional<smtp::SaslExchange> sasl_;  // set while an AUTH exchange runs
  bool in_transaction_ = false;
  SmtpEnvelope envelope_;
  smtp::DataReader data_reader_;
  std::optional<smtp::BodyScanner> body_;
};

}  // namespace postern::sim
