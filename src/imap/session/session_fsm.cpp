#include "imap/session/session_fsm.h"

#include <type_traits>

#include "core/base64.h"
#include "imap/mailbox_name.h"
#include "imap/parser/command_parser.h"
#include "imap/session/sasl_plain.h"

namespace postern::imap {

SessionFsm::SessionFsm(const SessionPolicy& policy, PeerInfo peer, store::InboxStore& store,
                       RecentTable& recent, const Clock& clock)
    : policy_(policy),
      peer_(std::move(peer)),
      store_(store),
      recent_(recent),
      clock_(clock),
      reader_(policy.limits) {}

bool SessionFsm::auth_allowed() const {
  // Loopback traffic never leaves the machine, so a password sent in the
  // clear there is as safe as over TLS; test suites on the developer's
  // machine (imaplib, Nodemailer's imapflow) then need no certificate.
  return peer_.tls || peer_.loopback || policy_.auth_without_tls;
}

std::string SessionFsm::capabilities() const {
  std::string caps =
      "IMAP4rev1 LITERAL+ SASL-IR UNSELECT IDLE UIDPLUS ID NAMESPACE ENABLE MOVE ESEARCH";
  if (state_ == State::not_authenticated && policy_.tls_available && !peer_.tls)
    caps += " STARTTLS";
  if (state_ == State::not_authenticated) caps += auth_allowed() ? " AUTH=PLAIN" : " LOGINDISABLED";
  return caps;
}

void SessionFsm::on_connected() {
  out_ += "* OK [CAPABILITY " + capabilities() + "] Postern IMAP ready.\r\n";
}

void SessionFsm::on_refused(std::string_view reason) {
  close_with_bye(reason, "refused: " + std::string(reason));
}

void SessionFsm::on_idle_timeout() {
  close_with_bye("Autologout; idle for too long.", "idle timeout");
}

void SessionFsm::on_shutdown() {
  // Between commands only: a command under way (a store write, a login)
  // is answered first, and its answer goes before the BYE.
  close_with_bye("[UNAVAILABLE] Server shutting down.", "server shutting down");
}

void SessionFsm::close_with_bye(std::string_view text, std::string reason) {
  if (phase_ == Phase::closed) return;
  untagged("BYE " + std::string(text));
  phase_ = Phase::closed;
  close_reason_ = std::move(reason);
  pending_ = Action::close;
}

void SessionFsm::on_tls_done(bool ok, std::string_view description) {
  if (!ok) {
    // Nothing can be said: the stream is neither plain nor TLS any more.
    phase_ = Phase::closed;
    close_reason_ = "TLS handshake failed: " + std::string(description);
    pending_ = Action::close;
    return;
  }
  phase_ = Phase::command;
  peer_.tls = true;
}

void SessionFsm::on_input(std::string_view bytes) { in_.append(bytes); }

void SessionFsm::on_input_closed() {
  phase_ = Phase::closed;
  close_reason_ = "connection closed by client";
  pending_ = Action::close;
}

SessionFsm::Action SessionFsm::next() {
  for (;;) {
    if (pending_) {
      auto a = *pending_;
      pending_.reset();
      return a;
    }
    if (phase_ == Phase::closed) return Action::close;
    if (phase_ == Phase::awaiting_login || phase_ == Phase::awaiting_store ||
        phase_ == Phase::awaiting_tls)
      return Action::read;
    if (fetch_) {
      continue_fetch();
      if (out_.size() >= policy_.flush_bytes) return Action::flush;
      continue;
    }
    if (!process_input()) return Action::read;
  }
}

bool SessionFsm::process_input() {
  auto event = reader_.next(std::string_view(in_).substr(in_pos_));
  in_pos_ += event.consumed;
  switch (event.kind) {
    case ReaderEvent::Kind::need_more:
      in_.erase(0, in_pos_);
      in_pos_ = 0;
      return false;
    case ReaderEvent::Kind::continuation:
      out_ += "+ Ready for literal data\r\n";
      return true;
    case ReaderEvent::Kind::error:
      if (phase_ == Phase::sasl) {
        // An overlong SASL response: it ends the AUTHENTICATE it answers.
        phase_ = Phase::command;
        bad(event.error.text());
        return true;
      }
      tag_ = event.error.tag;
      uid_command_ = false;
      expunges_allowed_ = false;
      if (tag_.empty()) {
        untagged_bad(event.error.text());
      } else if (event.error.append) {
        no(std::string("[TOOBIG] ") + std::string(event.error.text()));
      } else {
        bad(event.error.text());
      }
      return true;
    case ReaderEvent::Kind::command: {
      std::string line(event.command);  // the view dies with the next read
      handle_line(line);
      return true;
    }
  }
  return false;
}

void SessionFsm::handle_line(std::string_view line) {
  if (phase_ == Phase::sasl) return handle_sasl_response(line);
  if (phase_ == Phase::idle) return handle_idle_line(line);
  auto parsed = parse_command(line);
  if (!parsed) {
    tag_ = parsed.error().tag;
    expunges_allowed_ = false;
    if (tag_.empty()) return untagged_bad(parsed.error().text);
    return bad(parsed.error().text);
  }
  dispatch(*parsed);
}

namespace {

template <class T, class... Ts>
constexpr bool is_one_of = (std::is_same_v<T, Ts> || ...);

}  // namespace

bool SessionFsm::allowed(const CommandBody& body) const {
  return std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (is_one_of<T, Capability, Noop, Logout, Id>) {
          return true;
        } else if constexpr (is_one_of<T, Login, Authenticate, StartTls>) {
          return state_ == State::not_authenticated;
        } else if constexpr (is_one_of<T, Select, Create, Delete, Rename, Subscribe, Unsubscribe,
                                       List, Status, Append, Namespace, Idle>) {
          return state_ == State::authenticated || state_ == State::selected;
        } else if constexpr (is_one_of<T, Enable>) {
          return state_ == State::authenticated;  // RFC 5161 §3.1
        } else {
          return state_ == State::selected;
        }
      },
      body);
}

void SessionFsm::dispatch(Command& command) {
  tag_ = command.tag;
  uid_command_ = command.uid;
  // RFC 3501 §7.4.1; UID FETCH, UID STORE and UID SEARCH may see EXPUNGE.
  bool numbered = !command.uid && (std::holds_alternative<Fetch>(command.body) ||
                                   std::holds_alternative<Store>(command.body) ||
                                   std::holds_alternative<Search>(command.body));
  expunges_allowed_ = !numbered;
  if (!allowed(command.body)) return bad(command.name + " not valid in this state");
  std::visit([&](auto& c) { handle(c); }, command.body);
}

void SessionFsm::handle(const Capability&) {
  untagged("CAPABILITY " + capabilities());
  ok("Capability completed.");
}

void SessionFsm::handle(const Noop&) { ok("NOOP completed."); }

void SessionFsm::handle(const Logout&) {
  untagged("BYE Logging out");
  state_ = State::logout;
  selected_.reset();
  ok("Logout completed.");
  phase_ = Phase::closed;
  close_reason_ = "logout";
}

void SessionFsm::handle(const StartTls&) {
  if (!policy_.tls_available) return bad("Unknown command STARTTLS");
  if (peer_.tls) return bad("TLS is already active.");
  ok("Begin TLS negotiation now.");
  // RFC 3501 §6.2.1 (and RFC 3207's injection attack): nothing the
  // client sent in the clear after STARTTLS may be taken as said over TLS.
  in_.clear();
  in_pos_ = 0;
  reader_ = CommandReader(policy_.limits);
  phase_ = Phase::awaiting_tls;
  pending_ = Action::start_tls;
}

void SessionFsm::handle(Login& c) {
  if (!auth_allowed()) return no("[PRIVACYREQUIRED] Plaintext login is refused here: use TLS.");
  start_login(std::move(c.user), std::move(c.password));
}

void SessionFsm::handle(const Authenticate& c) {
  if (c.mechanism != "PLAIN") return no("[CANNOT] Unsupported authentication mechanism.");
  if (!auth_allowed()) return no("[PRIVACYREQUIRED] Plaintext login is refused here: use TLS.");
  if (c.initial_response) {
    return handle_sasl_response(*c.initial_response == "=" ? std::string_view()
                                                           : *c.initial_response);
  }
  phase_ = Phase::sasl;
  out_ += "+ \r\n";
}

void SessionFsm::handle_sasl_response(std::string_view line) {
  phase_ = Phase::command;
  if (line == "*") return bad("Authentication canceled.");
  auto decoded = base64_decode(line);
  if (!decoded) return bad("Invalid base64 in the SASL response.");
  auto credentials = parse_sasl_plain(*decoded);
  if (!credentials) return bad("Invalid PLAIN response.");
  start_login(std::move(credentials->user), std::move(credentials->password));
}

void SessionFsm::start_login(std::string user, std::string password) {
  login_ = {std::move(user), std::move(password)};
  phase_ = Phase::awaiting_login;
  pending_ = Action::check_login;
}

void SessionFsm::on_login_result(Result<store::InboxAccount> account) {
  phase_ = Phase::command;
  if (!account) {
    if (account.error() == Errc::storage_unavailable || account.error() == Errc::overloaded)
      return no("[UNAVAILABLE] Login is not possible now; try again later.");
    // Each failure costs the client a full check (Argon2id) already; a
    // session that keeps guessing is ended.
    if (++login_failures_ >= policy_.max_login_failures) bye_ = "Too many failed logins.";
    return no("[AUTHENTICATIONFAILED] Authentication failed.");
  }
  account_ = std::move(*account);
  state_ = State::authenticated;
  ok("Logged in.");
}

void SessionFsm::on_store_reply(StoreReply reply) {
  phase_ = Phase::command;
  auto then = std::move(then_);
  then(std::move(reply));
}

void SessionFsm::no_for(const error_code& error) {
  if (error == Errc::not_found) return no("[NONEXISTENT] Mailbox doesn't exist.");
  if (error == Errc::conflict) return no("[ALREADYEXISTS] Mailbox already exists.");
  if (error == Errc::invalid_argument) return no("[CANNOT] Invalid mailbox name.");
  if (error == Errc::storage_full) return no("[OVERQUOTA] Quota exceeded.");
  no("[UNAVAILABLE] The mailbox store is unavailable; try again later.");
}

std::optional<std::string> SessionFsm::store_name(const imap::Mailbox& mailbox) {
  auto name = decode_mailbox_name(mailbox.raw);
  if (!name) no("[CANNOT] Mailbox name is not valid modified UTF-7.");
  return name;
}

void SessionFsm::finish(std::string_view status, std::string_view text) {
  if (status != "BAD" && selected_) send_updates(expunges_allowed_);
  out_ += tag_;
  out_ += ' ';
  out_ += status;
  out_ += ' ';
  out_ += text;
  out_ += "\r\n";
  if (status == "BAD") count_bad();
  say_bye_if_due();
}

void SessionFsm::untagged_bad(std::string_view text) {
  untagged("BAD " + std::string(text));
  count_bad();
  say_bye_if_due();
}

void SessionFsm::count_bad() {
  // A client that keeps sending what cannot be parsed is not going to
  // recover (or is not a mail client): stop reading it, as SMTP does.
  if (++bad_commands_ >= policy_.max_bad_commands && bye_.empty())
    bye_ = "Too many invalid commands.";
}

void SessionFsm::say_bye_if_due() {
  if (!bye_.empty() && phase_ != Phase::closed) {
    untagged("BYE " + bye_);
    phase_ = Phase::closed;
    close_reason_ = bye_;
  }
}

void SessionFsm::send_updates(bool expunges_allowed) {
  // A store that cannot be read now leaves the view as it was: the next
  // command tries again, and the client is told nothing false meanwhile.
  auto updates = selected_->refresh(store_, expunges_allowed);
  if (!updates) {
    // Another session deleted it: nothing this one knows of it holds any
    // more (Dovecot ends the session the same way).
    if (updates.error() == Errc::not_found) bye_ = "The selected mailbox was deleted.";
    return;
  }
  for (const auto& u : *updates) {
    switch (u.kind) {
      case MailboxUpdate::Kind::expunge:
        untagged(std::to_string(u.number) + " EXPUNGE");
        break;
      case MailboxUpdate::Kind::exists:
        untagged(std::to_string(u.number) + " EXISTS");
        break;
      case MailboxUpdate::Kind::recent:
        untagged(std::to_string(u.number) + " RECENT");
        break;
      case MailboxUpdate::Kind::flags:
        untagged(std::to_string(u.number) + " FETCH (" +
                 (uid_command_ ? "UID " + std::to_string(u.uid) + " " : std::string()) + "FLAGS " +
                 u.flags + ")");
        break;
    }
  }
}

void SessionFsm::untagged(std::string_view text) {
  out_ += "* ";
  out_ += text;
  out_ += "\r\n";
}

}  // namespace postern::imap
