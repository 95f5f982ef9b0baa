// Intake: the one door into the durable queue for every protocol (HTTP,
// SMTP). It stores a validated message through the store's group commit and,
// once it is durable, wakes the dispatcher so delivery starts at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "store/event_store.h"
#include "store/inbox_store.h"
#include "store/store.h"

namespace postern::delivery {

// Intake's refusal of mail whose test account is over its quota: EDQUOT
// ("disk quota exceeded") of the generic category, permanent for the
// client (SMTP 552 5.2.2, HTTP 507), unlike the store's storage_full.
error_code quota_exceeded();

// A message intake took: as the store answered, and the recipients left
// out because they are on the suppression list (NewMessage::suppressed).
struct Accepted {
  store::EnqueueResult stored;
  std::vector<std::string> suppressed;
};

class Intake {
 public:
  // `on_durable` is called (on the store's writer thread, or its sync
  // stage's) once each message is durable; it must be quick.
  Intake(store::Store& store, MetricsRegistry& metrics, std::function<void()> on_durable);

  // Refuses, from now on, mail caught for a test account
  // (NewMessage::catch_account) that its quota cannot take: nothing is
  // accepted that cannot be filed. `inbox` must outlive this.
  void check_quota_with(store::InboxStore& inbox) { inbox_ = &inbox; }

  // From now on, recipients on `list` (suppressed_among) are noted in
  // NewMessage::suppressed before the message is stored: the store leaves
  // them out of every lease. Caught mail (a test account's) is never
  // relayed, so it is not checked. `list` must outlive this; give it a
  // delivery::SuppressionCache, which answers from memory.
  void check_suppressions_with(store::EventStore& list) { suppressions_ = &list; }

  // Stores the message. `done` runs where the store's completions run
  // (store/store.h), or inline when refused before, with the id and the
  // suppressed recipients (on an idempotent replay: those on the list now),
  // or Errc::conflict (idempotency key reused with another body),
  // quota_exceeded() (its test account is full), storage_full, overloaded,
  // storage_unavailable (the list cannot be read either) or shutting_down.
  void submit(store::NewMessage message, store::Completion<Accepted> done);

 private:
  // quota_exceeded() when the message's catch account cannot take it.
  error_code quota_refusal(const store::NewMessage& message);
  // Fills message.suppressed; the list's error when it cannot be read.
  error_code note_suppressed(store::NewMessage& message);

  store::Store& store_;
  store::InboxStore* inbox_ = nullptr;
  store::EventStore* suppressions_ = nullptr;
  std::function<void()> on_durable_;
  Counter& accepted_http_;
  Counter& accepted_smtp_;
  Counter& refused_;
  Counter& refused_quota_;
  Counter& suppressed_;
};

}  // namespace postern::delivery
