// Sans-io IMAP4rev1 session (RFC 3501): events in (bytes, the answers of
// the login check and of store writes), actions and response bytes out,
// as smtp/session_fsm.h does for SMTP. All protocol decisions live here;
// the driver only moves bytes and runs the actions.
//
// Store reads are synchronous (store/inbox_store.h) and made here. Store
// writes complete on the store's writer thread: the session hands them to
// the driver as a StoreCall (Action::store_call), and the driver feeds the
// answer back on the session's own thread (on_store_reply), where the
// command goes on. One command runs at a time; pipelined commands wait in
// the input until it is answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "imap/parser/command.h"
#include "imap/parser/command_reader.h"
#include "imap/session/recent_table.h"
#include "imap/session/selected_mailbox.h"
#include "store/inbox_store.h"

namespace postern::imap {

// What every session of one listener shares.
struct SessionPolicy {
  // Offer LOGIN and AUTHENTICATE on plaintext connections from other
  // hosts too. Off: only over TLS or from loopback (docs/inbox.md).
  bool auth_without_tls = false;
  ReaderLimits limits;
  // FETCH reads and renders this many messages at a time, and the driver
  // is asked to write (Action::flush) once this much output is waiting.
  std::size_t fetch_chunk = 1000;
  std::size_t flush_bytes = 256 * 1024;
  std::size_t max_bad_commands = 20;   // BAD answers before BYE and close
  std::size_t max_login_failures = 5;  // failed logins before BYE and close
  // ID's "version" (RFC 2971): the project has no release number yet; the
  // composition root may set the build's.
  std::string server_version = "dev";
  // A certificate is loaded: STARTTLS is offered on plaintext connections.
  bool tls_available = false;
  // Autologout (RFC 3501 §5.4: at least 30 minutes once logged in); before
  // login a client has less time to say who it is.
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds idle_timeout_before_login{60};
};

struct PeerInfo {
  std::string address;    // textual IP of the client
  bool loopback = false;  // 127.0.0.0/8 or ::1: nothing to sniff on the way
  bool tls = false;
};

struct LoginRequest {
  std::string user;
  std::string password;
};

// The answer of a store write, one alternative per InboxStore write the
// session makes.
using StoreReply =
    std::variant<Result<void>, Result<std::vector<store::FlagUpdate>>,
                 Result<std::vector<std::uint32_t>>, Result<store::Mailbox>,
                 Result<store::CopyResult>, Result<std::vector<store::DeliveredCopy>>>;
// Starts the write; `done` may run on any thread, once.
using StoreCall = std::function<void(std::function<void(StoreReply)> done)>;

class SessionFsm {
 public:
  enum class Action {
    read,         // write output(), then read; feed on_input / on_input_closed
    flush,        // write output() now (a long answer goes on), then call next() again
    store_call,   // take_store_call(), run it; feed its answer to on_store_reply
    check_login,  // take_login(), check it (auth::AccountLogins); feed on_login_result
    start_tls,    // write output(), TLS handshake; feed on_tls_done
    close,        // write output(), close; close_reason() says why
  };

  // `policy`, `store`, `recent` and `clock` must outlive the session.
  // `clock` dates what APPEND files without a date-time.
  SessionFsm(const SessionPolicy& policy, PeerInfo peer, store::InboxStore& store,
             RecentTable& recent, const Clock& clock);

  // --- Events ---
  void on_connected();  // the greeting
  // Instead of the greeting: the connection is refused (a connection
  // limit, or the server is stopping). `reason` goes in the BYE.
  void on_refused(std::string_view reason);
  // The client said nothing for idle_timeout() (the driver's read timer).
  void on_idle_timeout();
  // The server is stopping: the session says BYE at its next read.
  void on_shutdown();
  void on_tls_done(bool ok, std::string_view description);
  void on_input(std::string_view bytes);
  void on_input_closed();
  void on_login_result(Result<store::InboxAccount> account);
  void on_store_reply(StoreReply reply);
  // IDLE (RFC 2177): the driver calls this while idling() when the store
  // may have changed (its change notification, or a poll timer: a few
  // seconds is enough for a test inbox), then next() as after any event.
  // The session refreshes its view and queues EXISTS, RECENT, EXPUNGE and
  // FETCH (FLAGS) for what changed; next() then answers `read`, whose
  // output() carries them. Outside IDLE it does nothing: updates go out
  // with the next command's answer.
  void on_mailbox_changed();
  // In IDLE: the client waits for pushed updates (and the driver's poll
  // timer should run).
  bool idling() const { return phase_ == Phase::idle; }

  // Processes buffered input until an action is needed. Each action is
  // returned once; the driver performs it and feeds the matching event.
  Action next();

  // --- Results of actions ---
  const std::string& output() const { return out_; }
  void clear_output() { out_.clear(); }
  LoginRequest take_login() { return std::move(login_); }
  StoreCall take_store_call() { return std::move(store_call_); }
  const std::string& close_reason() const { return close_reason_; }
  std::chrono::seconds idle_timeout() const {
    return state_ == State::not_authenticated ? policy_.idle_timeout_before_login
                                              : policy_.idle_timeout;
  }
  // Logged in as (empty before login), for logs and metrics.
  std::string_view user() const { return account_ ? std::string_view(account_->user) : ""; }

 private:
  enum class State { not_authenticated, authenticated, selected, logout };
  enum class Phase { command, sasl, idle, awaiting_login, awaiting_store, awaiting_tls, closed };

  bool process_input();
  void handle_line(std::string_view line);
  void dispatch(Command& command);
  bool allowed(const CommandBody& body) const;

  // Any state.
  void handle(const Capability&);
  void handle(const Noop&);
  void handle(const Logout&);
  void handle(const Id&);
  // Authenticated (session_extensions.cpp).
  void handle(const Namespace&);
  void handle(const Enable&);
  void handle(const Idle&);
  void handle_idle_line(std::string_view line);
  void handle(const StartTls&);
  // Not authenticated.
  void handle(Login& c);
  void handle(const Authenticate& c);
  void handle_sasl_response(std::string_view line);
  void start_login(std::string user, std::string password);
  // Authenticated (session_mailboxes.cpp).
  void handle(const Select& c);
  void handle(const Create& c);
  void handle(const Delete& c);
  void handle(const Rename& c);
  void handle(const Subscribe& c);
  void handle(const Unsubscribe& c);
  void handle(const List& c);
  void handle(const Status& c);
  void set_subscribed(const imap::Mailbox& mailbox, bool subscribed);
  // Filing (session_filing.cpp): APPEND in both states, COPY and MOVE.
  void handle(const Append& c);
  void handle(const Copy& c);
  void handle(const Move& c);
  void copy_to(const SequenceSet& set, const imap::Mailbox& mailbox, bool move);
  // Selected (session_messages.cpp).
  void handle(const Check&);
  void handle(const Close&);
  void handle(const Unselect&);
  void handle(const Expunge& c);
  void handle(const Fetch& c);
  void handle(const Store& c);
  // SEARCH (session_search.cpp): the matching sequence numbers (UIDs for
  // UID SEARCH), ascending.
  void handle(const Search& c);
  Result<std::vector<std::uint32_t>> search(const SearchKey& program);
  void send_fetch(const Fetch& c, const std::vector<std::uint32_t>& seqs, bool seen_set);
  void continue_fetch();
  void send_flags(const std::vector<std::uint32_t>& seqs);
  std::optional<std::vector<std::uint32_t>> resolve_or_bad(const SequenceSet& set);
  std::vector<std::uint32_t> live_uids(const std::vector<std::uint32_t>& seqs) const;

  // The UTF-8 store name of a client's mailbox name; answers NO and gives
  // nullopt when it is not valid modified UTF-7.
  std::optional<std::string> store_name(const imap::Mailbox& mailbox);
  std::string capabilities() const;
  bool auth_allowed() const;

  // Runs `start(store, done)` through the driver, then `then(result)`.
  template <class T, class Start, class Then>
  void call_store(Start start, Then then);

  // Ends the current command: untagged updates of the selected mailbox
  // first (unless BAD), then "tag OK|NO|BAD text".
  void ok(std::string_view text) { finish("OK", text); }
  void no(std::string_view text) { finish("NO", text); }
  void bad(std::string_view text) { finish("BAD", text); }
  void no_for(const error_code& error);
  void finish(std::string_view status, std::string_view text);
  void send_updates(bool expunges_allowed);
  void untagged(std::string_view text);
  void untagged_bad(std::string_view text);  // "* BAD" for a command without a tag
  void count_bad();
  void say_bye_if_due();
  void close_with_bye(std::string_view text, std::string reason);

  const SessionPolicy& policy_;
  PeerInfo peer_;
  store::InboxStore& store_;
  RecentTable& recent_;
  const Clock& clock_;
  CommandReader reader_;

  State state_ = State::not_authenticated;
  Phase phase_ = Phase::command;
  std::optional<Action> pending_;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::string close_reason_;

  // The command being answered.
  std::string tag_;
  bool uid_command_ = false;
  bool expunges_allowed_ = true;  // RFC 3501 §7.4.1: not during FETCH, STORE, SEARCH

  // A FETCH being answered, SessionPolicy::fetch_chunk messages per step.
  struct FetchProgress {
    std::vector<FetchItem> items;
    std::vector<std::uint32_t> seqs;
    std::size_t next = 0;
    bool seen_set = false;  // \Seen was just set: FLAGS goes with each
    bool missing = false;   // some message is gone: the answer is NO
  };
  std::optional<FetchProgress> fetch_;

  std::size_t bad_commands_ = 0;
  std::size_t login_failures_ = 0;
  std::string bye_;  // set: say BYE after the tagged answer, and close

  std::optional<store::InboxAccount> account_;
  std::optional<SelectedMailbox> selected_;
  LoginRequest login_;
  StoreCall store_call_;
  std::function<void(StoreReply)> then_;
};

template <class T, class Start, class Then>
void SessionFsm::call_store(Start start, Then then) {
  store_call_ = [&store = store_,
                 start = std::move(start)](std::function<void(StoreReply)> done) mutable {
    start(store, [done = std::move(done)](Result<T> r) { done(StoreReply(std::move(r))); });
  };
  then_ = [then = std::move(then)](StoreReply reply) mutable {
    then(std::get<Result<T>>(std::move(reply)));
  };
  phase_ = Phase::awaiting_store;
  pending_ = Action::store_call;
}

}  // namespace postern::imap
