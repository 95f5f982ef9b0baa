// SessionFsm: events, input framing (command lines, DATA, BDAT chunks),
// replies and limits. The command handlers are in session_commands.cpp.
#include "smtp/session_fsm.h"

#include <algorithm>

#include "core/caught_mail.h"
#include "delivery/intake.h"

namespace postern::smtp {
namespace {

// Replies are written in batches (RFC 2920 §3.2 lets the server answer a
// pipelined group at once); past this size they go out without waiting.
constexpr std::size_t kFlushThreshold = 64 * 1024;

}  // namespace

SessionFsm::SessionFsm(const SessionPolicy& policy, PeerInfo peer, const Clock& clock,
                       SmtpMetrics& metrics)
    : policy_(policy),
      peer_(std::move(peer)),
      clock_(clock),
      metrics_(metrics),
      tls_(peer_.tls),
      tls_description_(peer_.tls_description) {}

void SessionFsm::on_connected(ConnectVerdict verdict) {
  if (phase_ != Phase::connecting) return;
  switch (verdict) {
    case ConnectVerdict::accept:
      phase_ = Phase::command;
      // RFC 5321 §4.3.1: the greeting starts with the server's name.
      reply(ReplyId::greeting, policy_.hostname + " ESMTP Postern");
      return;
    case ConnectVerdict::too_many_connections:
      metrics_.connections_refused.inc();
      close_with(ReplyId::too_many_connections, "connection limit reached");
      return;
    case ConnectVerdict::shutting_down:
      metrics_.connections_refused.inc();
      close_with(ReplyId::shutting_down, "server shutting down");
      return;
  }
}

void SessionFsm::on_input(std::string_view bytes) {
  if (in_pos_ == in_.size()) {
    in_.clear();
  } else if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
  }
  in_pos_ = 0;
  in_.append(bytes);
}

void SessionFsm::on_input_closed(std::string_view reason) {
  if (phase_ == Phase::closed) return;
  std::string why(reason);
  if (receiving_message()) {
    why += " while receiving message data; message dropped";
    metrics_.messages_refused.inc();
  }
  close_silently(std::move(why));
}

void SessionFsm::on_timeout(Timeout which) {
  if (phase_ == Phase::closed) return;
  std::string why = which == Timeout::idle ? "idle timeout" : "session time limit";
  if (receiving_message()) {
    why += " while receiving message data; message dropped";
    metrics_.messages_refused.inc();
  }
  close_with(which == Timeout::idle ? ReplyId::idle_timeout : ReplyId::session_timeout,
             std::move(why));
}

void SessionFsm::on_shutdown() { shutdown_requested_ = true; }

void SessionFsm::on_tls_done(bool ok, std::string description) {
  if (phase_ != Phase::awaiting_tls) return;
  if (!ok) {
    close_silently("TLS handshake failed: " + description);
    return;
  }
  tls_ = true;
  tls_description_ = std::move(description);
  // RFC 3207 §4.2: forget everything learned before TLS; the client starts
  // over with EHLO.
  greeted_ = false;
  esmtp_ = false;
  helo_name_.clear();
  principal_.reset();
  reset_transaction();
  phase_ = Phase::command;
}

void SessionFsm::on_auth_result(std::optional<auth::Principal> principal) {
  if (phase_ != Phase::awaiting_auth) return;
  phase_ = Phase::command;
  if (!principal) {
    metrics_.auth_failures.inc();
    if (policy_.limits)
      policy_.limits->login_failed(auth::LoginProtocol::smtp, peer_.address, auth_user_,
                                   peer_.proxied);
    reply(ReplyId::auth_invalid);
    return;
  }
  if (policy_.limits) policy_.limits->login_succeeded(peer_.address);
  principal_ = std::move(principal);
  reply(ReplyId::auth_ok);
}

void SessionFsm::on_store_result(const Result<store::EnqueueResult>& result) {
  if (phase_ != Phase::awaiting_store) return;
  phase_ = Phase::command;
  message_charge_.reset();  // the store is done with the content
  if (result) {
    metrics_.messages_accepted.inc();
    junk_ = 0;
    // The bracketed tail is Ethereal's: Nodemailer's getTestMessageUrl()
    // reads STATUS and MSGID from it to link the message in the web UI.
    auto id = result->id.to_string();
    reply(ReplyId::queued, "Ok: queued as " + id + " [STATUS=new MSGID=" + id + "]");
    return;
  }
  metrics_.messages_refused.inc();
  // A test account over its quota stays so until its mail expires or is
  // deleted: permanent, mailbox full (RFC 3463 X.2.2).
  if (result.error() == delivery::quota_exceeded()) return reply(ReplyId::mailbox_full);
  // Every other store failure is temporary for the client: the message may
  // go through on a later try. A full disk has its own code (RFC 3463 X.3.1).
  reply(result.error() == Errc::storage_full ? ReplyId::storage_full : ReplyId::store_unavailable);
}

SessionFsm::Action SessionFsm::next() {
  for (;;) {
    bool between_commands = phase_ == Phase::command || phase_ == Phase::sasl;
    if (between_commands && errors_ >= policy_.max_errors) {
      close_with(ReplyId::too_many_errors, "too many errors");
    }
    if (pending_) {
      auto action = *pending_;
      pending_.reset();
      return action;
    }
    if (phase_ != Phase::closed && out_.size() >= kFlushThreshold) return Action::flush;
    switch (phase_) {
      case Phase::closed:
        return Action::close;
      case Phase::command:
      case Phase::sasl:
        if (shutdown_requested_) {
          close_with(ReplyId::shutting_down, "server shutting down");
          continue;
        }
        if (!process_line()) return Action::read;
        continue;
      case Phase::data:
        if (!process_data()) return Action::read;
        continue;
      case Phase::bdat:
        if (!process_chunk()) return Action::read;
        continue;
      case Phase::connecting:
      case Phase::awaiting_tls:
      case Phase::awaiting_auth:
      case Phase::awaiting_store:
        // The driver asked for more before feeding the result it owes.
        close_silently("internal error: next() called while an action is pending");
        return Action::close;
    }
  }
}

bool SessionFsm::process_line() {
  auto event = lines_.next(std::string_view(in_).substr(in_pos_), kMaxAuthLine);
  in_pos_ += event.consumed;
  bool in_sasl = phase_ == Phase::sasl;
  switch (event.kind) {
    case LineEvent::Kind::need_more:
      return false;
    case LineEvent::Kind::too_long:
      phase_ = Phase::command;  // a broken SASL response ends the exchange
      reply(ReplyId::line_too_long);
      return true;
    case LineEvent::Kind::bare_newline:
      phase_ = Phase::command;
      reply(ReplyId::bare_newline_in_command);
      return true;
    case LineEvent::Kind::line:
      break;
  }
  if (in_sasl) {
    handle_sasl_line(event.text);
    return true;
  }
  if (event.text.size() + 2 > kMaxCommandLine && !is_auth_line(event.text)) {
    reply(ReplyId::line_too_long);
    return true;
  }
  auto command = parse_command(event.text);
  if (!command) {
    const auto& e = command.error();
    if (e.verb) metrics_.command(*e.verb);
    if (e.verb == Verb::bdat) {
      // Without a chunk size the bytes that follow cannot be told apart
      // from commands; reading them as commands would invite smuggling.
      reply(e.reply, e.detail);
      close_silently("unparseable BDAT command");
      return true;
    }
    reply(e.reply, e.detail);
    return true;
  }
  metrics_.command(command->verb);
  handle_command(*command);
  return true;
}

bool SessionFsm::process_data() {
  auto progress = data_.feed(std::string_view(in_).substr(in_pos_), tx_->body);
  in_pos_ += progress.consumed;
  if (!progress.done) return false;
  phase_ = Phase::command;
  finish_message();
  return true;
}

bool SessionFsm::process_chunk() {
  auto available = static_cast<std::uint64_t>(in_.size() - in_pos_);
  auto n = static_cast<std::size_t>(std::min(chunk_left_, available));
  if (!chunk_refusal_) tx_->body.feed(std::string_view(in_).substr(in_pos_, n));
  in_pos_ += n;
  chunk_left_ -= n;
  if (chunk_left_ > 0) return false;
  phase_ = Phase::command;
  if (chunk_refusal_) {
    auto refusal = std::move(*chunk_refusal_);
    chunk_refusal_.reset();
    reply(refusal.id, refusal.text);
    return true;
  }
  auto verdict = tx_->body.verdict();
  if (verdict == BodyVerdict::too_big || verdict == BodyVerdict::over_budget) {
    // RFC 3030 §2: a refused chunk fails the transaction; later chunks get 503.
    refuse_content(verdict);
    return true;
  }
  if (chunk_last_) {
    finish_message();
  } else {
    reply(ReplyId::chunk_received, std::to_string(tx_->body.size()) + " octets received");
  }
  return true;
}

void SessionFsm::finish_message() {
  auto verdict = tx_->body.verdict();
  if (verdict != BodyVerdict::ok) return refuse_content(verdict);
  auto info = received_info();
  info.smtputf8 = tx_->smtputf8;
  Submission submission{std::move(tx_->sender), std::move(tx_->recipients),
                        principal_ ? principal_->name : ""};
  auto content = tx_->body.take_content();
  message_charge_ = tx_->body.take_charge();
  reset_transaction();
  auto message = build_new_message(std::move(content), std::move(submission), info, clock_.now());
  if (!message) {
    message_charge_.reset();
    metrics_.messages_refused.inc();
    reply(ReplyId::header_unparseable);
    return;
  }
  message_ = std::move(*message);
  // Mail sent with a test account's credentials is caught for it; mail an
  // MX took, for the accounts of its recipients (each was checked at RCPT).
  if (principal_) message_.catch_account = principal_->catch_account;
  if (policy_.mx) message_.catch_account = kCatchForRecipients;
  phase_ = Phase::awaiting_store;
  pending_ = Action::store_message;
}

void SessionFsm::refuse_content(BodyVerdict verdict) {
  metrics_.messages_refused.inc();
  reset_transaction();
  switch (verdict) {
    case BodyVerdict::ok:
    case BodyVerdict::bare_newline:
      return reply(ReplyId::bare_newline_in_data);
    case BodyVerdict::too_big:
      return reply(ReplyId::message_too_big);
    case BodyVerdict::line_too_long:
      return reply(ReplyId::data_line_too_long);
    case BodyVerdict::over_budget:
      // Nothing was kept; the client tries again later (RFC 3463 X.3.1).
      if (policy_.budget) policy_.budget->count_refusal("smtp");
      return reply(ReplyId::storage_full, kBudgetSpent);
  }
}

ReceivedInfo SessionFsm::received_info() const {
  ReceivedInfo info;
  info.helo_name = helo_name_;
  info.peer_address = peer_.address;
  info.hostname = policy_.hostname;
  info.esmtp = esmtp_;
  info.tls = tls_;
  info.authenticated = principal_.has_value();
  info.tls_description = tls_description_;
  return info;
}

void SessionFsm::reply(ReplyId id, std::string_view text) {
  int code = reply_spec(id).code;
  out_ += format_reply(id, text);
  metrics_.reply(code);
  // Every permanent failure counts towards the limit that ends sessions of
  // clients that only probe or misbehave (Postfix smtpd_hard_error_limit).
  if (code >= 500) ++errors_;
}

void SessionFsm::reply_multiline(ReplyId id, const std::vector<std::string>& lines) {
  out_ += format_multiline(id, lines);
  metrics_.reply(reply_spec(id).code);
}

void SessionFsm::close_with(ReplyId id, std::string reason) {
  // RFC 5321 §4.2: 221 and 421 name the server first.
  reply(id, policy_.hostname + " " + std::string(reply_spec(id).text));
  close_silently(std::move(reason));
}

void SessionFsm::close_silently(std::string reason) {
  phase_ = Phase::closed;
  pending_.reset();
  close_reason_ = std::move(reason);
}

}  // namespace postern::smtp
