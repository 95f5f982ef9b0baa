// SessionFsm: the command handlers, by state (RFC 1939 §4-6, RFC 2449 CAPA,
// RFC 2595 STLS).
#include <algorithm>

#include "pop3/session_fsm.h"

namespace postern::pop3 {
namespace {

// RFC 2449 §6.7 EXPIRE: whole days. Under a day is still "1": "0" would
// tell the client that a message goes as soon as it is retrieved.
std::string expire_days(std::chrono::seconds retention) {
  auto days = std::chrono::duration_cast<std::chrono::days>(retention).count();
  return std::to_string(std::max<std::int64_t>(days, 1));
}

}  // namespace

void SessionFsm::handle(const Command& c) {
  switch (c.verb) {
    case Verb::capa:
      return handle_capa();
    case Verb::quit:
      return handle_quit();
    default:
      break;
  }
  if (state_ == State::authorization) return handle_authorization(c);
  handle_transaction(c);
}

void SessionFsm::handle_authorization(const Command& c) {
  switch (c.verb) {
    case Verb::user:
      user_ = c.argument;
      // The same answer for every name: no probing for accounts.
      return ok("send PASS");
    case Verb::pass:
      if (!user_) return protocol_error("send USER first");
      credentials_ = Credentials{std::move(*user_), c.argument};
      // RFC 1939 §7: after a failed PASS the client starts again with USER.
      user_.reset();
      return await(Action::login);
    case Verb::stls:
      return handle_stls();
    case Verb::apop:
      return err("APOP is not supported, use USER and PASS");
    case Verb::auth:
      return err("AUTH is not supported, use USER and PASS");
    default:
      return protocol_error(std::string(verb_name(c.verb)) +
                            " is not valid before login, send USER and PASS first");
  }
}

void SessionFsm::handle_transaction(const Command& c) {
  switch (c.verb) {
    case Verb::stat:
      return ok(std::to_string(live_count()) + " " + std::to_string(live_octets()));
    case Verb::list:
    case Verb::uidl:
      return handle_listing(c);
    case Verb::retr:
    case Verb::top:
      return handle_retrieve(c);
    case Verb::dele:
      return handle_dele(c);
    case Verb::rset:
      std::fill(deleted_.begin(), deleted_.end(), false);
      return ok("maildrop has " + std::to_string(live_count()) + " messages (" +
                std::to_string(live_octets()) + " octets)");
    case Verb::noop:
      return ok("");
    default:
      return protocol_error(std::string(verb_name(c.verb)) + " is not valid after login");
  }
}

void SessionFsm::handle_capa() {
  ok("capability list follows");
  out_ +=
      "TOP\r\n"
      "UIDL\r\n"
      "RESP-CODES\r\n"
      "AUTH-RESP-CODE\r\n"
      "PIPELINING\r\n";
  if (state_ == State::authorization) {
    out_ += "USER\r\n";
    if (policy_.tls_available && !tls_) out_ += "STLS\r\n";
    // Before login the node's default; each account may have its own.
    out_ += "EXPIRE " + expire_days(policy_.default_retention) + " USER\r\n";
  } else {
    out_ += "EXPIRE " + expire_days(maildrop_.retention) + "\r\n";
  }
  out_ += "IMPLEMENTATION Postern\r\n.\r\n";
}

void SessionFsm::handle_stls() {
  if (tls_) return protocol_error("TLS already active");
  if (!policy_.tls_available) return err("STLS not available: no certificate configured");
  ok("begin TLS negotiation");
  // Anything pipelined after STLS came in clear text and must not be taken
  // as sent over TLS (RFC 2595 §4, as CVE-2011-0411 for SMTP): drop it.
  in_.clear();
  in_pos_ = 0;
  await(Action::start_tls);
}

std::optional<std::size_t> SessionFsm::message_at(std::optional<std::uint64_t> number) {
  auto count = maildrop_.messages.size();
  if (!number || *number == 0 || *number > count) {
    err("no such message, only " + std::to_string(count) + " messages in maildrop");
    return std::nullopt;
  }
  auto index = static_cast<std::size_t>(*number - 1);
  if (deleted_[index]) {
    err("message " + std::to_string(*number) + " already deleted");
    return std::nullopt;
  }
  return index;
}

void SessionFsm::handle_listing(const Command& c) {
  bool uidl = c.verb == Verb::uidl;
  auto line = [&](std::size_t i) {
    const auto& m = maildrop_.messages[i];
    return std::to_string(i + 1) + " " + (uidl ? m.uid : std::to_string(m.size));
  };
  if (c.message) {
    if (auto index = message_at(c.message)) ok(line(*index));
    return;
  }
  if (uidl) {
    ok("unique-id listing follows");
  } else {
    ok(std::to_string(live_count()) + " messages (" + std::to_string(live_octets()) + " octets)");
  }
  for (std::size_t i = 0; i < maildrop_.messages.size(); ++i) {
    if (deleted_[i]) continue;
    out_ += line(i);
    out_ += "\r\n";
  }
  out_ += ".\r\n";
}

void SessionFsm::handle_retrieve(const Command& c) {
  auto index = message_at(c.message);
  if (!index) return;
  Retrieval r;
  r.index = *index;
  if (c.verb == Verb::top) r.body_lines = c.lines;
  retrieval_ = r;
  await(Action::retrieve);
}

void SessionFsm::handle_dele(const Command& c) {
  auto index = message_at(c.message);
  if (!index) return;
  deleted_[*index] = true;
  ok("message " + std::to_string(*index + 1) + " deleted");
}

void SessionFsm::handle_quit() {
  if (state_ == State::authorization) {
    close_with("+OK Postern POP3 server signing off", "client sent QUIT");
    return;
  }
  state_ = State::update;
  if (deletions().empty()) {
    close_with(
        "+OK Postern POP3 server signing off (" + std::to_string(live_count()) + " messages left)",
        "client sent QUIT");
    return;
  }
  await(Action::commit);
}

}  // namespace postern::pop3
