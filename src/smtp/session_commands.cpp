// SessionFsm: the command handlers (RFC 5321 §4.1.1, RFC 3207 STARTTLS,
// RFC 4954 AUTH, RFC 3030 BDAT), the relay policy and an MX listener's
// recipient policy.
#include <algorithm>

#include "core/address.h"
#include "core/caught_mail.h"
#include "smtp/session_fsm.h"

namespace postern::smtp {

void SessionFsm::handle_command(const Command& c) {
  switch (c.verb) {
    case Verb::ehlo:
    case Verb::helo:
      handle_ehlo(c);
      return;
    case Verb::mail:
      handle_mail(c);
      return;
    case Verb::rcpt:
      handle_rcpt(c);
      return;
    case Verb::data:
      handle_data();
      return;
    case Verb::bdat:
      handle_bdat(c);
      return;
    case Verb::starttls:
      handle_starttls();
      return;
    case Verb::auth:
      handle_auth(c);
      return;
    case Verb::quit:
      close_with(ReplyId::quit, "client sent QUIT");
      return;
    case Verb::rset:
      if (!count_junk()) return;
      reset_transaction();
      reply(ReplyId::ok);
      return;
    case Verb::noop:
      if (count_junk()) reply(ReplyId::ok);
      return;
    case Verb::vrfy:
      // RFC 5321 §3.5.3: 252 when we neither verify nor refuse.
      if (count_junk()) reply(ReplyId::vrfy);
      return;
    case Verb::help:
      if (count_junk()) reply(ReplyId::help);
      return;
    case Verb::count_:
      return;
  }
}

bool SessionFsm::count_junk() {
  if (++junk_ <= policy_.max_junk_commands) return true;
  close_with(ReplyId::too_many_commands, "too many commands without a message");
  return false;
}

std::optional<ReplyId> SessionFsm::submit_refusal() const {
  // An MX takes mail from anyone, whatever its address: what it refuses is
  // recipients (mx_recipient_refusal).
  if (policy_.mx) return std::nullopt;
  // An authenticated principal is judged by its scopes even on a trusted
  // network: a key without `send` never sends.
  if (principal_) {
    if (principal_->scopes.has(auth::Scope::send)) return std::nullopt;
    return ReplyId::not_authorized;
  }
  if (peer_.trusted) return std::nullopt;
  return ReplyId::auth_required;
}

std::optional<ReplyId> SessionFsm::mx_recipient_refusal(const MxPolicy& mx,
                                                        const std::string& address) const {
  // Never an open relay: whoever the sender and the client, an address of
  // another domain is refused before anything is looked up.
  if (!address_in_domain(address, mx.domain)) return ReplyId::relay_denied;
  auto account = mx.find_account(address);
  if (!account) {
    return account.error() == Errc::not_found ? ReplyId::unknown_mailbox
                                              : ReplyId::store_unavailable;
  }
  // Already full: no message fits. One that merely does not fit is refused
  // after DATA, once its size is known (Intake's quota check).
  if (account->quota_bytes != 0 && account->used_bytes >= account->quota_bytes) {
    return ReplyId::mailbox_full;
  }
  return std::nullopt;
}

void SessionFsm::handle_ehlo(const Command& c) {
  if (!count_junk()) return;
  // RFC 5321 §4.1.4: EHLO/HELO also reset any transaction.
  reset_transaction();
  greeted_ = true;
  esmtp_ = c.verb == Verb::ehlo;
  helo_name_ = c.argument;
  if (!esmtp_) {
    reply(ReplyId::helo, policy_.hostname);
    return;
  }
  std::vector<std::string> lines{policy_.hostname + " Hello " + c.argument,
                                 "PIPELINING",
                                 "SIZE " + std::to_string(policy_.max_message_bytes),
                                 "8BITMIME",
                                 "ENHANCEDSTATUSCODES",
                                 "SMTPUTF8",
                                 "CHUNKING"};
  if (policy_.tls_available && !tls_) lines.emplace_back("STARTTLS");
  // RFC 4954 §4 and RFC 8314: credentials only over TLS unless the listener
  // is explicitly configured otherwise. An MX has no use for them.
  if (!policy_.mx && (tls_ || policy_.auth_without_tls)) lines.emplace_back("AUTH PLAIN LOGIN");
  reply_multiline(ReplyId::ehlo, lines);
}

void SessionFsm::handle_mail(const Command& c) {
  if (!greeted_) return reply(ReplyId::bad_sequence, "Send EHLO or HELO first");
  if (auto refusal = submit_refusal()) return reply(*refusal);
  if (tx_) return reply(ReplyId::bad_sequence, "Nested MAIL command");
  // RFC 1870 §6.2: refuse at MAIL what will not fit.
  if (c.size && *c.size > policy_.max_message_bytes) return reply(ReplyId::message_too_big);
  // RFC 6531 §3.4: UTF-8 addresses only in an SMTPUTF8 transaction.
  if (!c.smtputf8 && address_is_utf8(c.path)) return reply(ReplyId::utf8_needs_smtputf8);
  // A message per MAIL: counted here, before any content is sent. Only an
  // authenticated user has a budget; trusted networks send as before.
  if (policy_.limits && principal_) {
    if (auto refused = policy_.limits->admit_message(principal_->name)) {
      return reply(ReplyId::rate_limited,
                   "Too much mail from " + principal_->name + "; try again in " +
                       std::to_string(refused->retry_after.count()) + " seconds");
    }
  }
  tx_.emplace(policy_.max_message_bytes);
  tx_->sender = c.path;
  tx_->smtputf8 = c.smtputf8;
  tx_->declared_size = c.size.value_or(0);
  tx_->body.charge_to(policy_.budget);
  reply(ReplyId::sender_ok);
}

void SessionFsm::handle_rcpt(const Command& c) {
  if (auto refusal = submit_refusal()) return reply(*refusal);
  if (!tx_) return reply(ReplyId::bad_sequence, "Send MAIL first");
  if (!tx_->smtputf8 && address_is_utf8(c.path)) return reply(ReplyId::utf8_needs_smtputf8);
  auto normalized = normalize_address(c.path);
  if (tx_->normalized_recipients.contains(normalized)) {
    return reply(ReplyId::recipient_ok);  // one copy per address
  }
  // RFC 5321 §4.5.3.1.10: 452 lets the client send the rest in another
  // transaction.
  if (tx_->recipients.size() >= policy_.max_recipients) {
    return reply(ReplyId::too_many_recipients);
  }
  if (policy_.mx) {
    if (auto refusal = mx_recipient_refusal(*policy_.mx, c.path)) return reply(*refusal);
  }
  tx_->normalized_recipients.insert(std::move(normalized));
  tx_->recipients.push_back(c.path);
  reply(ReplyId::recipient_ok);
}

void SessionFsm::handle_data() {
  if (auto refusal = submit_refusal()) return reply(*refusal);
  if (!tx_) return reply(ReplyId::bad_sequence, "Send MAIL first");
  if (tx_->chunked) return reply(ReplyId::bad_sequence, "DATA cannot follow BDAT");
  // RFC 5321 §3.3: 554 when every RCPT was refused.
  if (tx_->recipients.empty()) return reply(ReplyId::no_valid_recipients);
  // Temporary: the transaction stays, and DATA may be tried again.
  if (!admit_content()) return reply(ReplyId::storage_full, kBudgetSpent);
  data_ = DataReader{};
  phase_ = Phase::data;
  reply(ReplyId::data_start);
}

void SessionFsm::handle_bdat(const Command& c) {
  // RFC 3030 §2: the chunk follows the command at once and is always read,
  // even when it is refused; the reply comes after it.
  chunk_left_ = c.chunk_size;
  chunk_last_ = c.last;
  phase_ = Phase::bdat;
  chunk_refusal_.reset();
  if (auto refusal = submit_refusal()) {
    chunk_refusal_ = Refusal{*refusal, {}};
  } else if (!tx_) {
    chunk_refusal_ = Refusal{ReplyId::bad_sequence, "Send MAIL first"};
  } else if (tx_->recipients.empty()) {
    chunk_refusal_ = Refusal{ReplyId::no_valid_recipients, {}};
  } else if (!tx_->chunked && !admit_content()) {
    chunk_refusal_ = Refusal{ReplyId::storage_full, std::string(kBudgetSpent)};
  } else {
    tx_->chunked = true;
  }
}

bool SessionFsm::admit_content() {
  auto* budget = policy_.budget;
  if (!budget) return true;
  // The size the client declared is charged at once: a message that will
  // not fit is refused before a byte of it is sent. Without one, a message
  // starts while some budget is left and is charged as it arrives.
  bool fits = tx_->declared_size > 0 ? tx_->body.reserve(tx_->declared_size) : budget->has_room();
  if (!fits) budget->count_refusal("smtp");
  return fits;
}

void SessionFsm::handle_starttls() {
  if (tls_) return reply(ReplyId::bad_sequence, "TLS already active");
  if (!policy_.tls_available) return reply(ReplyId::tls_unavailable);
  if (tx_) return reply(ReplyId::bad_sequence, "MAIL transaction in progress");
  reply(ReplyId::tls_ready);
  // Anything pipelined after STARTTLS came in clear text and must not be
  // taken as sent over TLS (RFC 3207 §5, CVE-2011-0411): drop it.
  in_.clear();
  in_pos_ = 0;
  phase_ = Phase::awaiting_tls;
  pending_ = Action::start_tls;
}

void SessionFsm::handle_auth(const Command& c) {
  if (policy_.mx) return reply(ReplyId::auth_not_offered);
  if (!esmtp_) return reply(ReplyId::bad_sequence, "Send EHLO first");
  if (principal_) return reply(ReplyId::bad_sequence, "Already authenticated");
  if (tx_) return reply(ReplyId::bad_sequence, "MAIL transaction in progress");
  if (!tls_ && !policy_.auth_without_tls) return reply(ReplyId::auth_encryption_required);
  if (policy_.limits) {
    if (auto wait = policy_.limits->login_blocked(auth::LoginProtocol::smtp, peer_.address,
                                                  peer_.proxied)) {
      return reply(ReplyId::auth_temporary,
                   "Too many failed logins from your address; try again in " +
                       std::to_string(wait->retry_after.count()) + " seconds");
    }
  }
  auto mechanism = SaslExchange::mechanism(c.argument);
  if (!mechanism) return reply(ReplyId::auth_mechanism_unsupported);
  handle_sasl_step(sasl_.start(*mechanism, c.initial_response));
}

void SessionFsm::handle_sasl_line(std::string_view line) { handle_sasl_step(sasl_.respond(line)); }

void SessionFsm::handle_sasl_step(SaslExchange::Step step) {
  using Kind = SaslExchange::Step::Kind;
  phase_ = Phase::command;
  switch (step.kind) {
    case Kind::challenge:
      phase_ = Phase::sasl;
      reply(ReplyId::auth_challenge, step.text);
      return;
    case Kind::credentials:
      phase_ = Phase::awaiting_auth;
      pending_ = Action::check_credentials;
      return;
    case Kind::cancelled:
      reply(ReplyId::auth_cancelled);
      return;
    case Kind::bad_encoding:
      reply(ReplyId::auth_bad_encoding);
      return;
    case Kind::malformed:
      metrics_.auth_failures.inc();
      reply(ReplyId::auth_invalid);
      return;
  }
}

}  // namespace postern::smtp
