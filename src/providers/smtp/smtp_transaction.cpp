// One message on an open relay session: one mail transaction (RFC 5321
// §3.3) or, when the relay limits the recipients of a transaction, several
// in a row. Each is MAIL, RCPT per recipient (pipelined per RFC 2920 when
// offered), DATA, the dot-stuffed message, and the per-recipient outcome.
#include <algorithm>
#include <iterator>
#include <span>

#include "core/address.h"
#include "core/dot_stuff.h"
#include "providers/smtp/smtp_session.h"

namespace postern::providers::smtp {

namespace {

// DATA is stuffed and written in parts of this many bytes of the message.
constexpr std::size_t kDataPart = 256 * 1024;

bool needs_smtputf8(const Envelope& envelope) {
  if (address_is_utf8(envelope.sender)) return true;
  return std::any_of(envelope.recipients.begin(), envelope.recipients.end(),
                     [](const Recipient& r) { return address_is_utf8(r.address); });
}

// RFC 5321 §4.5.3.1.10: a server out of room for recipients answers 452
// (RFC 3463: 4.5.3, "too many recipients"), and clients are to be ready for
// 552 (5.5.3) too. A bare 452 also means "insufficient system storage", so it
// counts as the limit only where held_over() finds the limit's pattern.
bool too_many_recipients(const SmtpReply& reply) {
  if (reply.code == 452) return reply.enhanced.empty() || reply.enhanced == "4.5.3";
  return reply.code == 552 && reply.enhanced == "5.5.3";
}

// Where the recipients the relay had no room for begin in `replies`: the
// start of a run of "too many recipients" replies that lasts to the end and
// follows an accepted recipient. replies.size() when there is no such run.
std::size_t held_over(const std::vector<RecipientReply>& replies) {
  std::size_t start = replies.size();
  while (start > 0 && too_many_recipients(replies[start - 1].reply)) --start;
  bool any_accepted =
      std::any_of(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(start),
                  [](const RecipientReply& r) { return r.reply.positive(); });
  return any_accepted ? start : replies.size();
}

}  // namespace

asio::awaitable<TransactionOutcome> SmtpSession::transact(const SmtpTransaction& tx) {
  TransactionOutcome out;
  const Envelope& envelope = *tx.envelope;
  out.envelope_recipients = envelope.recipients.size();
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

  // Each transaction takes at least one recipient, so this ends. Once the
  // relay has shown its limit, later transactions ask for no more than that.
  std::size_t first = 0;
  std::size_t at_most = envelope.recipients.size();
  while (first < envelope.recipients.size() && !out.failure) {
    std::size_t next = co_await transact_from(tx, mail, first, at_most, out);
    at_most = std::min(at_most, next - first);
    first = next;
  }
  co_return out;
}

asio::awaitable<std::size_t> SmtpSession::transact_from(const SmtpTransaction& tx,
                                                        const std::string& mail, std::size_t first,
                                                        std::size_t at_most,
                                                        TransactionOutcome& out) {
  const auto& recipients = tx.envelope->recipients;
  const std::size_t none_left = recipients.size();
  const std::size_t end = std::min(none_left, first + at_most);
  std::vector<RecipientReply> replies;
  std::optional<SmtpFailure> failure;
  std::optional<SmtpReply> mail_reply;
  if (capabilities_.pipelining) {
    std::string batch = mail + "\r\n";
    for (std::size_t i = first; i < end; ++i)
      batch += "RCPT TO:<" + recipients[i].address + ">\r\n";
    auto deadline = command_deadline();
    out.failure = co_await write(SmtpStage::mail, batch, deadline);
    if (out.failure) co_return none_left;
    mail_reply = co_await read_reply(SmtpStage::mail, deadline, failure);
    // Every pipelined command gets its reply, even after a refused MAIL.
    for (std::size_t i = first; mail_reply && i < end; ++i) {
      auto reply = co_await read_reply(SmtpStage::rcpt, command_deadline(), failure);
      if (!reply) break;
      replies.push_back({recipients[i].address, std::move(*reply)});
    }
  } else {
    mail_reply = co_await command(SmtpStage::mail, mail, failure);
    for (std::size_t i = first; mail_reply && mail_reply->positive() && i < end; ++i) {
      auto reply =
          co_await command(SmtpStage::rcpt, "RCPT TO:<" + recipients[i].address + ">", failure);
      if (!reply) break;
      replies.push_back({recipients[i].address, std::move(*reply)});
      // At its limit, the relay would refuse the rest the same way: they
      // wait for the next transaction without being asked now.
      if (too_many_recipients(replies.back().reply) && held_over(replies) < replies.size()) break;
    }
  }
  if (failure) {
    out.failure = std::move(failure);
    co_return none_left;
  }
  if (!mail_reply->positive()) {
    out.failure = SmtpFailure{SmtpStage::mail, std::move(*mail_reply), SmtpLocal::none, ""};
    co_await reset();
    co_return none_left;
  }
  const std::size_t taken = held_over(replies);
  out.last_started = out.recipients.size();
  out.recipients.insert(
      out.recipients.end(), std::make_move_iterator(replies.begin()),
      std::make_move_iterator(replies.begin() + static_cast<std::ptrdiff_t>(taken)));
  const auto counted = std::span(out.recipients).subspan(out.last_started);

  // Deferred (4xx) and refused (5xx) recipients do not stop the others: the
  // accepted ones get the message now, and the message's retry goes to the
  // deferred ones alone (SendResult::settled_recipients). With none
  // accepted there is nothing to send: a deferral, else the first refusal,
  // says why.
  const auto accepted = static_cast<std::size_t>(std::count_if(
      counted.begin(), counted.end(), [](const RecipientReply& r) { return r.reply.positive(); }));
  if (accepted == 0) {
    auto culprit = std::find_if(counted.begin(), counted.end(),
                                [](const RecipientReply& r) { return r.reply.code / 100 == 4; });
    if (culprit == counted.end()) culprit = counted.begin();
    SmtpReply reply =
        culprit != counted.end() ? culprit->reply : SmtpReply{554, "", {"no recipients"}};
    out.failure = SmtpFailure{SmtpStage::rcpt, std::move(reply), SmtpLocal::none, ""};
    co_await reset();
    co_return none_left;
  }

  auto data_reply = co_await command(SmtpStage::data, "DATA", failure);
  if (!data_reply) {
    out.failure = std::move(failure);
    co_return none_left;
  }
  if (data_reply->code != 354) {
    out.failure = SmtpFailure{SmtpStage::data, std::move(*data_reply), SmtpLocal::none, ""};
    co_await reset();
    co_return none_left;
  }
  auto deadline = std::chrono::steady_clock::now() + settings_->data_timeout;
  // Stuffed and written a part at a time: the message is held once.
  DotStuffer stuffer;
  std::string part;
  std::size_t at = 0;
  do {
    auto piece = tx.message.substr(at, kDataPart);
    at += piece.size();
    part.clear();
    stuffer.add(piece, part);
    if (at == tx.message.size()) stuffer.finish(part);
    out.failure = co_await write(SmtpStage::data, part, deadline);
    if (out.failure) co_return none_left;
  } while (at < tx.message.size());
  // From here on the relay may have the message: a lost answer is ambiguous.
  auto final_reply = co_await read_reply(SmtpStage::message, deadline, failure);
  if (!final_reply) {
    out.failure = std::move(failure);
    co_return none_left;
  }
  if (final_reply->code / 100 != 2) {
    out.failure = SmtpFailure{SmtpStage::message, std::move(*final_reply), SmtpLocal::none, ""};
    co_return none_left;
  }
  out.sent.push_back({std::move(*final_reply), accepted});
  co_return first + taken;
}

}  // namespace postern::providers::smtp
