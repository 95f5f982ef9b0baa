#include "delivery/intake.h"

#include <cerrno>

#include "core/caught_mail.h"

namespace postern::delivery {

error_code quota_exceeded() { return {EDQUOT, boost::system::generic_category()}; }

Intake::Intake(store::Store& store, MetricsRegistry& metrics, std::function<void()> on_durable)
    : store_(store),
      on_durable_(std::move(on_durable)),
      accepted_http_(metrics.counter("postern_messages_accepted_total",
                                     "Messages stored durably at intake", {{"source", "http"}})),
      accepted_smtp_(metrics.counter("postern_messages_accepted_total",
                                     "Messages stored durably at intake", {{"source", "smtp"}})),
      refused_(metrics.counter("postern_messages_refused_total",
                               "Messages refused at intake because the store could not take them")),
      refused_quota_(metrics.counter(
          "postern_messages_refused_quota_total",
          "Messages refused at intake because their test account is over its quota")),
      suppressed_(metrics.counter(
          "postern_recipients_suppressed_total",
          "Recipients left out at intake because they are on the suppression list")) {}

namespace {

// Whether `account` can take `bytes` more. A gone account or an unreadable
// one is the capture's to report: the message is accepted and its attempt
// says why it was not filed.
bool fits(const Result<store::InboxAccount>& account, std::size_t bytes) {
  if (!account || account->quota_bytes == 0) return true;
  return account->used_bytes + bytes <= account->quota_bytes;
}

}  // namespace

error_code Intake::quota_refusal(const store::NewMessage& message) {
  if (!inbox_ || message.catch_account == 0) return {};
  auto bytes = message.content.size();
  if (message.catch_account != kCatchForRecipients) {
    return fits(inbox_->account(message.catch_account), bytes) ? error_code{} : quota_exceeded();
  }
  // Stored once, but counted in each account that takes it: every one must
  // have the room (a message is accepted whole or not at all).
  for (const auto& r : message.envelope.recipients) {
    if (!fits(inbox_->account_by_address(r.address), bytes)) return quota_exceeded();
  }
  return {};
}

error_code Intake::note_suppressed(store::NewMessage& message) {
  if (!suppressions_ || message.catch_account != 0) return {};
  std::vector<std::string> addresses;
  addresses.reserve(message.envelope.recipients.size());
  for (const auto& r : message.envelope.recipients) addresses.push_back(r.address);
  auto on_list = suppressions_->suppressed_among(addresses);
  if (!on_list) return on_list.error();
  message.suppressed = std::move(*on_list);
  return {};
}

void Intake::submit(store::NewMessage message, store::Completion<Accepted> done) {
  if (auto refused = quota_refusal(message)) {
    refused_quota_.inc();
    return done(refused);
  }
  if (auto unreadable = note_suppressed(message)) {
    refused_.inc();
    return done(unreadable);
  }
  Counter& accepted = message.source == "smtp" ? accepted_smtp_ : accepted_http_;
  auto suppressed = message.suppressed;
  store_.enqueue(std::move(message), [this, &accepted, suppressed = std::move(suppressed),
                                      done = std::move(done)](Result<store::EnqueueResult> r) {
    if (!r) {
      if (r.error() != Errc::conflict) refused_.inc();
      return done(r.error());
    }
    if (!r->replayed) {
      accepted.inc();
      suppressed_.inc(suppressed.size());
      if (on_durable_) on_durable_();
    }
    done(Accepted{*r, suppressed});
  });
}

}  // namespace postern::delivery
