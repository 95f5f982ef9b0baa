// Sans-io POP3 session (RFC 1939, RFC 2449, RFC 2595 STLS): events in
// (bytes, timeouts, TLS, login, message and commit results), actions and
// response bytes out. Every protocol decision lives here; session.cpp only
// moves bytes and runs the actions.
//
// States (RFC 1939 §3): AUTHORIZATION until PASS succeeds, TRANSACTION
// until QUIT, then UPDATE, where the deleted messages are removed. A
// session that ends any other way (timeout, dropped connection, shutdown)
// removes nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/line_reader.h"
#include "net/session_table.h"
#include "pop3/login.h"
#include "pop3/maildrop.h"
#include "pop3/parser/command.h"

namespace postern::pop3 {

using net::ConnectVerdict;

// What every session of one server shares.
struct SessionPolicy {
  bool tls_available = false;  // a certificate is loaded: STLS may be offered
  // Failed PASS before -ERR and disconnect (the server also waits a little
  // after each failure, session.cpp).
  std::size_t max_login_failures = 3;
  // Protocol errors (unknown commands, bad syntax, wrong state, overlong
  // lines) before -ERR and disconnect.
  std::size_t max_errors = 20;
  // CAPA EXPIRE before login (with USER: it may differ per account).
  std::chrono::seconds default_retention{7 * 24 * 3600};
  // RFC 1939 §3: an autologout timer of at least 10 minutes once logged in;
  // a client that has not logged in gets less.
  std::chrono::seconds idle_timeout_before_login{60};
  std::chrono::seconds idle_timeout{600};
};

// The maildrop as a session sees it after login.
struct MaildropView {
  std::vector<MessageInfo> messages;
  std::chrono::seconds retention{0};
};

class SessionFsm {
 public:
  enum class Action {
    read,       // flush output(), then read; feed on_input / on_input_closed / on_idle_timeout
    flush,      // write output() now (it grew large), then call next() again
    start_tls,  // flush output(), TLS handshake; then on_tls_done
    login,      // take_credentials(), log in; then on_login_result
    retrieve,   // read message retrieve_index(); then on_retrieved
    commit,     // remove deletions(); then on_committed
    close,      // flush output(), close; close_reason() says why
  };

  struct Credentials {
    std::string user;
    std::string password;
  };

  // `policy` must outlive the FSM. `tls`: encrypted from the first byte.
  explicit SessionFsm(const SessionPolicy& policy, bool tls = false);

  // --- Events ---
  // First event: the greeting, or -ERR and close when the connection is refused.
  void on_connected(ConnectVerdict verdict);
  void on_input(std::string_view bytes);
  // EOF or a read error: the session ends without UPDATE.
  void on_input_closed(std::string_view reason);
  // RFC 1939 §3: the autologout closes without a response and without UPDATE.
  void on_idle_timeout();
  // The server is stopping: -ERR and close at the next command boundary.
  void on_shutdown();
  void on_tls_done(bool ok, std::string_view description);
  void on_login_result(Result<MaildropView, LoginError> result);
  void on_retrieved(Result<std::string> content);
  void on_committed(Result<void> result);

  // Processes buffered input until an action is needed. Each action is
  // returned once; the driver performs it and feeds the matching event.
  Action next();

  // --- Results of actions ---
  const std::string& output() const { return out_; }
  void clear_output() { out_.clear(); }
  Credentials take_credentials() { return std::move(credentials_); }
  std::size_t retrieve_index() const { return retrieval_ ? retrieval_->index : 0; }
  // The places (0-based) of the messages marked deleted, ascending.
  std::vector<std::size_t> deletions() const;
  const std::string& close_reason() const { return close_reason_; }

  bool logged_in() const { return state_ == State::transaction || state_ == State::update; }
  bool tls_active() const { return tls_; }
  // How long the next read may wait (before or after login).
  std::chrono::seconds idle_timeout() const {
    return logged_in() ? policy_.idle_timeout : policy_.idle_timeout_before_login;
  }

 private:
  enum class State { authorization, transaction, update };
  enum class Phase { connecting, command, awaiting, closed };

  struct Retrieval {
    std::size_t index = 0;
    std::optional<std::uint64_t> body_lines;  // TOP
  };

  bool process_line();
  void handle(const Command& c);
  void handle_authorization(const Command& c);
  void handle_transaction(const Command& c);
  void handle_capa();
  void handle_stls();
  void handle_listing(const Command& c);
  void handle_retrieve(const Command& c);
  void handle_dele(const Command& c);
  void handle_quit();
  // The place of message number `number` when it exists and is not
  // deleted; otherwise answers -ERR and returns nothing.
  std::optional<std::size_t> message_at(std::optional<std::uint64_t> number);
  std::uint64_t live_count() const;
  std::uint64_t live_octets() const;

  void ok(std::string_view text);
  void err(std::string_view text);
  // -ERR for a protocol error: counts towards max_errors.
  void protocol_error(std::string_view text);
  void close_with(std::string_view response, std::string reason);
  void close_silently(std::string reason);
  // Asks the driver for `action`; its result is fed to the matching event.
  void await(Action action);
  // True (and back to reading commands) when `action` is what the session awaits.
  bool resume(Action action);

  const SessionPolicy& policy_;
  State state_ = State::authorization;
  Phase phase_ = Phase::connecting;
  std::optional<Action> pending_;   // to return from next()
  Action awaiting_ = Action::read;  // whose result is due while phase_ is awaiting
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::string close_reason_;
  LineReader lines_{LineEnds::crlf_or_lf};

  bool tls_;
  bool shutdown_requested_ = false;
  std::size_t errors_ = 0;
  std::size_t login_failures_ = 0;
  std::optional<std::string> user_;  // USER accepted, PASS expected
  Credentials credentials_;

  MaildropView maildrop_;
  std::vector<bool> deleted_;
  std::optional<Retrieval> retrieval_;
};

}  // namespace postern::pop3
