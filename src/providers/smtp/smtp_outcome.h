// What happened on a relay connection, as data: the step that failed (with
// the relay's reply or a local reason) and the per-recipient replies of a
// transaction. smtp_classify.cpp turns these into SendResults.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/provider.h"
#include "providers/smtp/smtp_reply.h"

namespace postern::providers::smtp {

enum class SmtpStage { connect, greeting, ehlo, starttls, auth, mail, rcpt, data, message, rset };
std::string_view to_string(SmtpStage stage);

// Failures with no reply from the relay.
enum class SmtpLocal {
  none,  // the relay replied: see SmtpFailure::reply
  connection_refused,
  connect_failed,  // unreachable, reset, name not resolved
  timeout,
  tls_failed,
  connection_lost,       // closed or reset mid-conversation
  malformed_reply,       // not an RFC 5321 §4.2 reply
  starttls_unavailable,  // tls = "starttls" but the relay does not offer it
  auth_unavailable,      // credentials set, but no PLAIN or LOGIN offered
  smtputf8_unavailable,  // UTF-8 addresses, relay without SMTPUTF8 (RFC 6531 §3.4)
  too_large,             // above the SIZE the relay advertised (RFC 1870 §6)
};
std::string_view to_string(SmtpLocal local);

struct SmtpFailure {
  SmtpStage stage = SmtpStage::connect;
  std::optional<SmtpReply> reply;
  SmtpLocal local = SmtpLocal::none;
  std::string detail;  // for local failures
};

struct RecipientReply {
  std::string address;
  SmtpReply reply;
};

// A transaction the relay took: the 2xx after its final dot.
struct SentTransaction {
  SmtpReply final_reply;
  std::size_t recipients = 0;  // accepted in it
};

// One message, sent in one transaction or, past the relay's recipient
// limit, in several.
struct TransactionOutcome {
  std::optional<SmtpFailure> failure;      // the last transaction failed at this step
  std::vector<RecipientReply> recipients;  // every RCPT reply that counted (not "too many")
  std::size_t last_started = 0;            // where the last transaction's replies begin in it
  // The transactions that went through, in order: their accepted recipients
  // have the message, even when a later one failed or a recipient was
  // deferred (the message's retry then leaves them out).
  std::vector<SentTransaction> sent;
  std::size_t envelope_recipients = 0;  // how many the message has
};

// The classification table (docs/providers.md, Failure classes).
SendResult classify_smtp_failure(const SmtpFailure& failure);
SendResult classify_smtp_transaction(const TransactionOutcome& outcome);
ProbeResult classify_smtp_probe(const std::optional<SmtpFailure>& failure);

// The relay's id for an accepted message, from its final reply ("queued as
// 4BXyz", "id=1abc"); the reply text when no id is recognised.
std::string relay_message_id(const SmtpReply& reply);

}  // namespace postern::providers::smtp
