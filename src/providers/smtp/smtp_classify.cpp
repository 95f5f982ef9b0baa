// SMTP relay answers to failure classes: the one table (docs/providers.md,
// Failure classes). The basic reply code decides the
// retry (RFC 5321 §4.2.1); the enhanced code (RFC 3463) the reason.
#include <algorithm>
#include <span>

#include "core/utf8.h"
#include "providers/smtp/smtp_outcome.h"

namespace postern::providers::smtp {

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

FailureClass class_of_local(SmtpStage stage, SmtpLocal local) {
  switch (local) {
    case SmtpLocal::timeout:
    case SmtpLocal::connection_lost:
    case SmtpLocal::malformed_reply:
      // After the final dot the relay may have taken the message: resending
      // risks a duplicate, so retry (docs/providers.md, Failure classes).
      return stage == SmtpStage::message ? FailureClass::transient : FailureClass::provider_down;
    case SmtpLocal::smtputf8_unavailable:
    case SmtpLocal::too_large:
      return FailureClass::permanent;
    default:
      return FailureClass::provider_down;
  }
}

FailureClass class_of_reply(SmtpStage stage, const SmtpReply& reply) {
  auto text = reply.summary();
  // SES's SMTP interface: the daily quota is an outage for hours,
  // the sending rate clears in moments.
  if (contains(text, "Daily message quota exceeded")) return FailureClass::provider_down;
  if (contains(text, "Maximum sending rate exceeded")) return FailureClass::transient;
  if (reply.code == 421) return FailureClass::provider_down;  // closing the channel, any stage
  bool transient = reply.code / 100 == 4;
  bool policy = reply.enhanced.rfind("5.7.", 0) == 0 || reply.code == 530;
  switch (stage) {
    case SmtpStage::connect:
    case SmtpStage::greeting:
    case SmtpStage::ehlo:
    case SmtpStage::starttls:
    case SmtpStage::auth:  // 530/534/535/538, 454 4.7.0: credentials or TLS policy
    case SmtpStage::rset:
      return FailureClass::provider_down;
    case SmtpStage::mail:
    case SmtpStage::rcpt:
      // 4xx: retry later. 5.7.x here is the relay refusing to relay for us
      // (550 5.7.1 relay denied, 530 auth required): its configuration.
      if (transient) return FailureClass::transient;
      return policy ? FailureClass::provider_down : FailureClass::permanent;
    case SmtpStage::data:
    case SmtpStage::message:
      // After DATA, 5xx rejects this message's content (552 5.3.4, 554
      // 5.6.x, 550 5.7.1): another relay would likely reject it too.
      return transient ? FailureClass::transient : FailureClass::permanent;
  }
  return FailureClass::transient;
}

bool deferred(const RecipientReply& r) { return r.reply.code / 100 == 4; }
bool refused(const RecipientReply& r) { return r.reply.code / 100 == 5; }
bool accepted(const RecipientReply& r) { return r.reply.positive(); }

template <class Pred>
std::string recipient_list(std::span<const RecipientReply> recipients, Pred pred) {
  std::string out;
  for (const auto& r : recipients) {
    if (!pred(r)) continue;
    out += (out.empty() ? "" : ", ") + r.address + " (" + r.reply.summary() + ")";
  }
  return out;
}

// Who a relay attempt is done with: the recipients accepted in a
// transaction that went through, and those refused for good (5xx) in any.
struct Settled {
  std::vector<std::string> recipients;
  std::vector<std::string> refused;  // of recipients, those refused for good
  std::size_t delivered = 0;
};

Settled settled_of(const TransactionOutcome& outcome) {
  Settled s;
  // Every transaction before the last went through; the last did unless it failed.
  const std::size_t went_through =
      outcome.failure ? outcome.last_started : outcome.recipients.size();
  for (std::size_t i = 0; i < outcome.recipients.size(); ++i) {
    const auto& r = outcome.recipients[i];
    bool delivered = i < went_through && accepted(r);
    if (delivered || refused(r)) s.recipients.push_back(r.address);
    if (delivered) {
      ++s.delivered;
    } else if (refused(r)) {
      s.refused.push_back(r.address);
    }
  }
  return s;
}

std::string ids_of(const std::vector<SentTransaction>& sent) {
  std::string out;
  for (const auto& t : sent) {
    if (!out.empty()) out += ",";
    out += relay_message_id(t.final_reply);
  }
  return out;
}

}  // namespace

std::string_view to_string(SmtpStage stage) {
  switch (stage) {
    case SmtpStage::connect:
      return "connect";
    case SmtpStage::greeting:
      return "greeting";
    case SmtpStage::ehlo:
      return "EHLO";
    case SmtpStage::starttls:
      return "STARTTLS";
    case SmtpStage::auth:
      return "AUTH";
    case SmtpStage::mail:
      return "MAIL";
    case SmtpStage::rcpt:
      return "RCPT";
    case SmtpStage::data:
      return "DATA";
    case SmtpStage::message:
      return "end of data";
    case SmtpStage::rset:
      return "RSET";
  }
  return "unknown";
}

std::string_view to_string(SmtpLocal local) {
  switch (local) {
    case SmtpLocal::none:
      return "none";
    case SmtpLocal::connection_refused:
      return "connection_refused";
    case SmtpLocal::connect_failed:
      return "connect_failed";
    case SmtpLocal::timeout:
      return "timeout";
    case SmtpLocal::tls_failed:
      return "tls_failed";
    case SmtpLocal::connection_lost:
      return "connection_lost";
    case SmtpLocal::malformed_reply:
      return "malformed_reply";
    case SmtpLocal::starttls_unavailable:
      return "starttls_unavailable";
    case SmtpLocal::auth_unavailable:
      return "auth_unavailable";
    case SmtpLocal::smtputf8_unavailable:
      return "smtputf8_unavailable";
    case SmtpLocal::too_large:
      return "too_large";
  }
  return "unknown";
}

SendResult classify_smtp_failure(const SmtpFailure& failure) {
  SendResult r;
  if (failure.reply) {
    r.failure_class = class_of_reply(failure.stage, *failure.reply);
    r.code = failure.reply->code_text();
    r.detail = std::string(to_string(failure.stage)) + ": " + failure.reply->summary();
  } else {
    r.failure_class = class_of_local(failure.stage, failure.local);
    r.code = std::string(to_string(failure.local));
    r.detail = std::string(to_string(failure.stage)) + ": " + failure.detail;
  }
  return r;
}

SendResult classify_smtp_transaction(const TransactionOutcome& outcome) {
  auto settled = settled_of(outcome);
  const bool all_settled = settled.recipients.size() >= outcome.envelope_recipients;
  // A failure that leaves somebody waiting, or reaches nobody, is the
  // attempt's answer; one after every recipient was delivered or refused
  // for good (the last transaction's recipients all refused) is not.
  if (outcome.failure && !(all_settled && settled.delivered > 0)) {
    auto r = classify_smtp_failure(*outcome.failure);
    if (outcome.failure->stage == SmtpStage::rcpt) {
      auto last = std::span(outcome.recipients).subspan(outcome.last_started);
      r.detail =
          "RCPT: " + recipient_list(last, [](const RecipientReply& x) { return !accepted(x); });
    }
    if (settled.delivered > 0) {
      r.detail = "after " + std::to_string(outcome.sent.size()) +
                 " transaction(s) that went through, to " + std::to_string(settled.delivered) +
                 " recipient(s) whom a retry leaves out: " + r.detail;
      r.provider_message_id = ids_of(outcome.sent);
    }
    // All refused and none delivered: the failure decides for everyone. A
    // permanent one settles them all (they never take the message, so the
    // dispatcher goes on with recipients past this send, if any); not a
    // relay refusing to relay for us, which is its fault, not theirs.
    if (!all_settled || r.failure_class == FailureClass::permanent) {
      r.settled_recipients = std::move(settled.recipients);
      r.refused_recipients = std::move(settled.refused);
    }
    return r;
  }
  SendResult r;
  r.failure_class = FailureClass::ok;
  if (!outcome.sent.empty()) {
    const auto& last = outcome.sent.back().final_reply;
    r.code = last.code_text();
    r.detail = last.summary();
    r.provider_message_id = ids_of(outcome.sent);
  }
  if (outcome.sent.size() > 1) {
    std::size_t most = 0;
    for (const auto& t : outcome.sent) most = std::max(most, t.recipients);
    r.detail += "; in " + std::to_string(outcome.sent.size()) +
                " transactions, the relay taking at most " + std::to_string(most) +
                " recipients in one";
  }
  // Per-recipient results: the accepted recipients got the message; the
  // refused ones never will through any relay; the deferred ones get it
  // when the message is retried, which leaves the others out.
  if (auto list = recipient_list(outcome.recipients, refused); !list.empty()) {
    r.detail += "; refused recipients: " + list;
    // Listed as values too: the message is sent, and a manual retry goes to
    // the refused alone (the operator may have had an address fixed).
    r.settled_recipients = settled.recipients;
    r.refused_recipients = settled.refused;
  }
  if (!all_settled) {
    auto first = std::find_if(outcome.recipients.begin(), outcome.recipients.end(), deferred);
    r.failure_class = FailureClass::transient;
    if (first != outcome.recipients.end()) r.code = first->reply.code_text();
    r.detail = "sent to " + std::to_string(settled.delivered) + " of " +
               std::to_string(outcome.envelope_recipients) + " recipients (" + r.detail +
               "); deferred recipients: " + recipient_list(outcome.recipients, deferred);
    r.settled_recipients = std::move(settled.recipients);
    r.refused_recipients = std::move(settled.refused);
  }
  return r;
}

ProbeResult classify_smtp_probe(const std::optional<SmtpFailure>& failure) {
  ProbeResult p;
  if (!failure) {
    p.healthy = true;
    return p;
  }
  auto r = classify_smtp_failure(*failure);
  p.failure_class =
      r.failure_class == FailureClass::transient ? r.failure_class : FailureClass::provider_down;
  p.detail = r.detail;
  return p;
}

std::string relay_message_id(const SmtpReply& reply) {
  for (const auto& line : reply.lines) {
    for (std::string_view marker : {"queued as ", "id="}) {
      auto pos = line.find(marker);
      if (pos == std::string::npos) continue;
      auto id = line.substr(pos + marker.size());
      id = id.substr(0, id.find_first_of(" ;,>"));
      if (!id.empty()) return valid_utf8(id);
    }
  }
  return reply.summary();
}

}  // namespace postern::providers::smtp
