// One mail transaction on an open relay session (RFC 5321 §3.3): MAIL,
// RCPT per recipient (pipelined per RFC 2920 when offered), DATA, the
// dot-stuffed message, and the per-recipient outcome.
#include <algorithm>

#include "core/address.h"
#include "providers/smtp/smtp_session.h"

namespace postern::providers::smtp {

namespace {

bool needs_smtputf8(const Envelope& envelope) {
  if (address_is_utf8(envelope.sender)) return true;
  return std::any_of(envelope.recipients.begin(), envelope.recipients.end(),
                     [](const Recipient& r) { return address_is_utf8(r.address); });
}

}  // namespace

asio::awaitable<TransactionOutcome> SmtpSession::transact(const SmtpTransaction& tx) {
  TransactionOutcome out;
  const Envelope& envelope = *tx.envelope;
  const bool utf8 = needs_smtputf8(envelope);
  if (utf8 && !capabilities_.smtputf8) {
    out.failure = SmtpFailure{SmtpStage::mail, std::nullopt, SmtpLocal::smtputf8_unavailable,
                              "UTF-8 addresses need SMTPUTF8, which the relay does not offer"};
    co_return out;
  }
  // RFC 1870 §6: a message above the advertised SIZE would be refused.
  if (capabilities_.size_limit > 0 && tx.message_size > capabilities_.size_limit) {
    out.failure =
        SmtpFailure{SmtpStage::mail, std::nullopt, SmtpLocal::too_large,
                    "message of " + std::to_string(tx.message_size) + " bytes, relay limit " +
                        std::to_string(capabilities_.size_limit)};
    co_return out;
  }

  std::string mail = "MAIL FROM:<" + envelope.sender + ">";
  if (capabilities_.size_offered) mail += " SIZE=" + std::to_string(tx.message_size);
  if (tx.eight_bit && capabilities_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (utf8) mail += " SMTPUTF8";
  std::vector<std::string> rcpts;
  for (const auto& r : envelope.recipients) rcpts.push_back("RCPT TO:<" + r.address + ">");

  std::optional<SmtpFailure> failure;
  std::optional<SmtpReply> mail_reply;
  if (capabilities_.pipelining) {
    std::string batch = mail + "\r\n";
    for (const auto& r : rcpts) batch += r + "\r\n";
    auto deadline = command_deadline();
    out.failure = co_await write(SmtpStage::mail, batch, deadline);
    if (out.failure) co_return out;
    mail_reply = co_await read_reply(SmtpStage::mail, deadline, failure);
    // Every pipelined command gets its reply, even after a refused MAIL.
    for (std::size_t i = 0; mail_reply && i < rcpts.size(); ++i) {
      auto reply = co_await read_reply(SmtpStage::rcpt, command_deadline(), failure);
      if (!reply) break;
      out.recipients.push_back({envelope.recipients[i].address, std::move(*reply)});
    }
  } else {
    mail_reply = co_await command(SmtpStage::mail, mail, failure);
    for (std::size_t i = 0; mail_reply && mail_reply->positive() && i < rcpts.size(); ++i) {
      auto reply = co_await command(SmtpStage::rcpt, rcpts[i], failure);
      if (!reply) break;
      out.recipients.push_back({envelope.recipients[i].address, std::move(*reply)});
    }
  }
  if (failure) {
    out.failure = std::move(failure);
    co_return out;
  }
  if (!mail_reply->positive()) {
    out.failure = SmtpFailure{SmtpStage::mail, std::move(*mail_reply), SmtpLocal::none, ""};
    co_await reset();
    co_return out;
  }

  // A deferred recipient (4xx) stops the whole send: nothing goes out now,
  // the message is retried for everyone, and nobody gets it twice.
  auto deferred = std::find_if(out.recipients.begin(), out.recipients.end(),
                               [](const RecipientReply& r) { return r.reply.code / 100 == 4; });
  bool any_accepted = std::any_of(out.recipients.begin(), out.recipients.end(),
                                  [](const RecipientReply& r) { return r.reply.positive(); });
  if (deferred != out.recipients.end() || !any_accepted) {
    auto first = deferred != out.recipients.end()
                     ? deferred
                     : std::find_if(out.recipients.begin(), out.recipients.end(),
                                    [](const RecipientReply& r) { return !r.reply.positive(); });
    SmtpReply reply =
        first != out.recipients.end() ? first->reply : SmtpReply{554, "", {"no recipients"}};
    out.failure = SmtpFailure{SmtpStage::rcpt, std::move(reply), SmtpLocal::none, ""};
    co_await reset();
    co_return out;
  }

  auto data_reply = co_await command(SmtpStage::data, "DATA", failure);
  if (!data_reply) {
    out.failure = std::move(failure);
    co_return out;
  }
  if (data_reply->code != 354) {
    out.failure = SmtpFailure{SmtpStage::data, std::move(*data_reply), SmtpLocal::none, ""};
    co_await reset();
    co_return out;
  }
  auto deadline = std::chrono::steady_clock::now() + settings_->data_timeout;
  out.failure = co_await write(SmtpStage::data, *tx.payload, deadline);
  if (out.failure) co_return out;
  // From here on the relay may have the message: a lost answer is ambiguous.
  auto final_reply = co_await read_reply(SmtpStage::message, deadline, failure);
  if (!final_reply) {
    out.failure = std::move(failure);
    co_return out;
  }
  if (final_reply->code / 100 != 2) {
    out.failure = SmtpFailure{SmtpStage::message, std::move(*final_reply), SmtpLocal::none, ""};
    co_return out;
  }
  out.final_reply = std::move(final_reply);
  co_return out;
}

}  // namespace postern::providers::smtp
