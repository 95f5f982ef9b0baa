// Sans-io SMTP submission session (RFC 5321, RFC 6409): events in (bytes,
// timeouts, TLS, credential and store results), actions and reply bytes
// out. All protocol decisions live here; session.cpp only moves bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "auth/abuse_limits.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/line_reader.h"
#include "net/session_table.h"
#include "smtp/message_builder.h"
#include "smtp/mx_policy.h"
#include "smtp/parser/body_scanner.h"
#include "smtp/parser/command.h"
#include "smtp/parser/data_reader.h"
#include "smtp/sasl.h"
#include "smtp/smtp_metrics.h"
#include "store/store.h"

namespace postern::smtp {

// What every session of one listener shares.
struct SessionPolicy {
  std::string hostname = "localhost";
  std::size_t max_message_bytes = 25 * 1024 * 1024;
  std::size_t max_recipients = 1000;
  std::size_t max_errors = 20;          // 5xx replies before 421 and disconnect
  std::size_t max_junk_commands = 100;  // NOOP/RSET/VRFY/HELP/EHLO/HELO between messages
  bool tls_available = false;           // a certificate is loaded: STARTTLS may be offered
  bool auth_without_tls = false;        // offer AUTH on plaintext connections too
  std::optional<MxPolicy> mx;           // set: an MX listener, not a submission port
  // Messages per minute per user and the delays after failed AUTH
  // (docs/operations.md "Abuse limits"); null: none. Outlives the FSM.
  auth::AbuseLimits* limits = nullptr;
  // Message content in memory (limits.inflight_bytes): charged as it is
  // received, until it is stored; past it, 452 4.3.1. Null: no budget.
  // Outlives the FSM.
  InflightBudget* budget = nullptr;
};

// The text of the 452 4.3.1 given when the budget for content is spent.
inline constexpr std::string_view kBudgetSpent =
    "Insufficient system resources: too much mail in progress, try again later";

struct PeerInfo {
  std::string address;   // textual IP of the client
  bool trusted = false;  // inside the trusted networks: may submit without AUTH
  bool proxied = false;  // named by a PROXY header (net::Peer::proxied): never loopback-exempt
  bool tls = false;      // implicit TLS: encrypted from the first byte
  std::string tls_description;
};

using net::ConnectVerdict;
enum class Timeout { idle, session };

class SessionFsm {
 public:
  enum class Action {
    read,               // flush output(), then read; feed on_input / on_input_closed / on_timeout
    flush,              // write output() now (it grew large), then call next() again
    start_tls,          // flush output(), TLS handshake; then on_tls_done
    check_credentials,  // take_credentials(), check them; then on_auth_result
    store_message,      // take_message(), submit it; then on_store_result
    close,              // flush output(), close; close_reason() says why
  };

  // `policy`, `clock` and `metrics` must outlive the FSM.
  SessionFsm(const SessionPolicy& policy, PeerInfo peer, const Clock& clock, SmtpMetrics& metrics);

  // --- Events ---
  // First event: the greeting, or 421 and close when the connection is refused.
  void on_connected(ConnectVerdict verdict);
  void on_input(std::string_view bytes);
  // EOF or a read error: the session ends without a reply; a message being
  // received is dropped.
  void on_input_closed(std::string_view reason);
  // 421 4.4.2 and close; a message being received is dropped.
  void on_timeout(Timeout which);
  // The server is stopping: 421 4.3.2 at the next command boundary (a
  // message being received or stored is finished first).
  void on_shutdown();
  void on_tls_done(bool ok, std::string description);
  void on_auth_result(std::optional<auth::Principal> principal);
  void on_store_result(const Result<store::EnqueueResult>& result);

  // Processes buffered input until an action is needed. Each action is
  // returned once; the driver performs it and feeds the matching event.
  Action next();

  // --- Results of actions ---
  const std::string& output() const { return out_; }
  void clear_output() { out_.clear(); }
  Credentials take_credentials() {
    auth_user_ = sasl_.credentials().user;
    return std::move(sasl_.credentials());
  }
  store::NewMessage take_message() { return std::move(message_); }
  const std::string& close_reason() const { return close_reason_; }
  // True while DATA or BDAT content is being received.
  bool receiving_message() const { return phase_ == Phase::data || phase_ == Phase::bdat; }
  bool tls_active() const { return tls_; }

 private:
  enum class Phase {
    connecting,
    command,
    sasl,  // waiting for a SASL response line
    data,
    bdat,
    awaiting_tls,
    awaiting_auth,
    awaiting_store,
    closed,
  };

  struct Transaction {
    explicit Transaction(std::size_t max_bytes) : body(max_bytes) {}
    std::string sender;
    bool smtputf8 = false;
    std::vector<std::string> recipients;
    // normalize_address() of each recipient: a repeated RCPT is found in
    // O(1), not by normalizing every recipient again per command line.
    std::unordered_set<std::string> normalized_recipients;
    BodyScanner body;
    bool chunked = false;             // BDAT seen: DATA no longer allowed (RFC 3030 §3)
    std::uint64_t declared_size = 0;  // MAIL FROM's SIZE=, 0 when none
  };

  // Input processing; each returns false when more input is needed.
  bool process_line();
  bool process_data();
  bool process_chunk();

  void handle_command(const Command& command);
  void handle_ehlo(const Command& c);
  void handle_mail(const Command& c);
  void handle_rcpt(const Command& c);
  void handle_data();
  void handle_bdat(const Command& c);
  void handle_starttls();
  void handle_auth(const Command& c);
  void handle_sasl_line(std::string_view line);
  void handle_sasl_step(SaslExchange::Step step);
  void finish_message();
  // The reply to content that cannot be taken, the transaction dropped.
  void refuse_content(BodyVerdict verdict);
  // Whether the budget for content in flight lets a message start (its
  // declared size charged); counts the refusal when not.
  bool admit_content();

  // The refusal for MAIL/RCPT/DATA/BDAT from a client that may not submit.
  std::optional<ReplyId> submit_refusal() const;
  // An MX listener's refusal of a recipient (relaying, no such mailbox, a
  // full one, the store unreadable).
  std::optional<ReplyId> mx_recipient_refusal(const MxPolicy& mx, const std::string& address) const;
  // Counts NOOP-like commands; false (and the session closing) past the limit.
  bool count_junk();
  void reply(ReplyId id, std::string_view text = {});
  void reply_multiline(ReplyId id, const std::vector<std::string>& lines);
  void close_with(ReplyId id, std::string reason);
  void close_silently(std::string reason);
  void reset_transaction() { tx_.reset(); }
  ReceivedInfo received_info() const;

  const SessionPolicy& policy_;
  PeerInfo peer_;
  const Clock& clock_;
  SmtpMetrics& metrics_;

  Phase phase_ = Phase::connecting;
  std::optional<Action> pending_;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::string close_reason_;
  LineReader lines_;

  bool greeted_ = false;  // EHLO or HELO accepted
  bool esmtp_ = false;
  std::string helo_name_;
  bool tls_ = false;
  std::string tls_description_;
  std::optional<auth::Principal> principal_;
  std::string auth_user_;  // the user of the AUTH being checked, for the log
  std::size_t errors_ = 0;
  std::size_t junk_ = 0;
  bool shutdown_requested_ = false;

  SaslExchange sasl_;
  std::optional<Transaction> tx_;
  DataReader data_;
  std::uint64_t chunk_left_ = 0;
  bool chunk_last_ = false;
  struct Refusal {
    ReplyId id;
    std::string text;
  };
  std::optional<Refusal> chunk_refusal_;  // the answer once the chunk is read and dropped
  store::NewMessage message_;
  InflightCharge message_charge_;  // message_'s content, until it is stored
};

}  // namespace postern::smtp
