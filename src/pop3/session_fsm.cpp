// SessionFsm: events, line framing, responses and limits. The command
// handlers are in session_commands.cpp.
#include "pop3/session_fsm.h"

#include "core/dot_stuff.h"
#include "pop3/multiline.h"

namespace postern::pop3 {
namespace {

// Responses are written in batches (RFC 2449 PIPELINING lets the client
// send several commands at once); past this size they go out at once.
constexpr std::size_t kFlushThreshold = 64 * 1024;

}  // namespace

SessionFsm::SessionFsm(const SessionPolicy& policy, bool tls) : policy_(policy), tls_(tls) {}

void SessionFsm::on_connected(ConnectVerdict verdict) {
  if (phase_ != Phase::connecting) return;
  switch (verdict) {
    case ConnectVerdict::accept:
      phase_ = Phase::command;
      ok("Postern POP3 server ready");
      return;
    case ConnectVerdict::too_many_connections:
      close_with("-ERR [SYS/TEMP] too many connections, try again later",
                 "connection limit reached");
      return;
    case ConnectVerdict::shutting_down:
      close_with("-ERR [SYS/TEMP] server shutting down", "server shutting down");
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
  close_silently(std::string(reason));
}

void SessionFsm::on_idle_timeout() {
  if (phase_ == Phase::closed) return;
  close_silently(logged_in() ? "autologout: idle timeout" : "idle timeout before login");
}

void SessionFsm::on_shutdown() { shutdown_requested_ = true; }

void SessionFsm::on_tls_done(bool ok, std::string_view description) {
  if (!resume(Action::start_tls)) return;
  if (!ok) {
    close_silently("TLS handshake failed: " + std::string(description));
    return;
  }
  tls_ = true;
  // RFC 2595 §4: nothing learned before TLS counts after it.
  user_.reset();
}

void SessionFsm::on_login_result(Result<MaildropView, LoginError> result) {
  if (!resume(Action::login)) return;
  if (result) {
    maildrop_ = std::move(*result);
    deleted_.assign(maildrop_.messages.size(), false);
    state_ = State::transaction;
    ok("logged in, " + std::to_string(live_count()) + " messages (" +
       std::to_string(live_octets()) + " octets)");
    return;
  }
  switch (result.error()) {
    case LoginError::bad_credentials:
      if (++login_failures_ >= policy_.max_login_failures) {
        close_with("-ERR [AUTH] invalid user name or password; too many failures, closing",
                   "too many failed logins");
        return;
      }
      err("[AUTH] invalid user name or password");
      return;
    case LoginError::in_use:
      err("[IN-USE] maildrop already locked by another session");
      return;
    case LoginError::unavailable:
      err("[SYS/TEMP] maildrop unavailable, try again later");
      return;
  }
}

void SessionFsm::on_retrieved(Result<std::string> content) {
  if (!resume(Action::retrieve)) return;
  auto request = *retrieval_;
  retrieval_.reset();
  auto number = std::to_string(request.index + 1);
  if (!content) {
    if (content.error() == Errc::corrupt)
      return err("[SYS/PERM] message " + number + " is damaged");
    if (content.error() == Errc::not_found) {
      return err("[SYS/PERM] message " + number + " was removed by another client");
    }
    return err("[SYS/TEMP] cannot read message " + number + ", try again later");
  }
  if (request.body_lines) {
    ok("top of message " + number + " follows");
  } else {
    ok(std::to_string(maildrop_.messages[request.index].size) + " octets");
  }
  std::string_view sent = *content;
  if (request.body_lines) sent = top_of(sent, *request.body_lines);
  append_dot_stuffed(out_, sent);
}

void SessionFsm::on_committed(Result<void> result) {
  if (!resume(Action::commit)) return;
  if (!result) {
    // RFC 1939 §6: the client learns that its deletions did not all happen.
    close_with("-ERR [SYS/TEMP] some deleted messages not removed", "commit failed");
    return;
  }
  auto removed = deletions().size();
  close_with("+OK Postern POP3 server signing off (" + std::to_string(removed) +
                 " messages deleted, " + std::to_string(live_count()) + " left)",
             "client sent QUIT");
}

SessionFsm::Action SessionFsm::next() {
  for (;;) {
    if (phase_ == Phase::command && errors_ >= policy_.max_errors) {
      close_with("-ERR too many errors, closing", "too many errors");
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
        if (shutdown_requested_) {
          close_with("-ERR [SYS/TEMP] server shutting down", "server shutting down");
          continue;
        }
        if (!process_line()) return Action::read;
        continue;
      case Phase::connecting:
      case Phase::awaiting:
        // The driver asked for more before feeding the result it owes.
        close_silently("internal error: next() called while an action is pending");
        return Action::close;
    }
  }
}

bool SessionFsm::process_line() {
  auto event = lines_.next(std::string_view(in_).substr(in_pos_), kMaxCommandLine);
  in_pos_ += event.consumed;
  switch (event.kind) {
    case LineEvent::Kind::need_more:
      return false;
    case LineEvent::Kind::too_long:
      protocol_error("command line too long (RFC 2449: at most 255 octets)");
      return true;
    case LineEvent::Kind::bare_newline:  // not with LineEnds::crlf_or_lf
    case LineEvent::Kind::line:
      break;
  }
  auto command = parse_command(event.text);
  if (!command) {
    protocol_error(command.error().text);
    return true;
  }
  handle(*command);
  return true;
}

std::vector<std::size_t> SessionFsm::deletions() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < deleted_.size(); ++i) {
    if (deleted_[i]) out.push_back(i);
  }
  return out;
}

std::uint64_t SessionFsm::live_count() const {
  std::uint64_t n = 0;
  for (bool d : deleted_) n += d ? 0 : 1;
  return n;
}

std::uint64_t SessionFsm::live_octets() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < deleted_.size(); ++i) {
    if (!deleted_[i]) n += maildrop_.messages[i].size;
  }
  return n;
}

void SessionFsm::ok(std::string_view text) {
  out_ += "+OK";
  if (!text.empty()) out_ += ' ';
  out_ += text;
  out_ += "\r\n";
}

void SessionFsm::err(std::string_view text) {
  out_ += "-ERR ";
  out_ += text;
  out_ += "\r\n";
}

void SessionFsm::protocol_error(std::string_view text) {
  err(text);
  ++errors_;
}

void SessionFsm::close_with(std::string_view response, std::string reason) {
  out_ += response;
  out_ += "\r\n";
  close_silently(std::move(reason));
}

void SessionFsm::close_silently(std::string reason) {
  phase_ = Phase::closed;
  pending_.reset();
  close_reason_ = std::move(reason);
}

void SessionFsm::await(Action action) {
  phase_ = Phase::awaiting;
  pending_ = action;
  awaiting_ = action;
}

bool SessionFsm::resume(Action action) {
  // A result nobody asked for (a driver bug, or one that comes after the
  // session closed) changes nothing.
  if (phase_ != Phase::awaiting || pending_ || awaiting_ != action) return false;
  phase_ = Phase::command;
  return true;
}

}  // namespace postern::pop3
