// Intake: the one door into the durable queue for every protocol (HTTP,
// SMTP). It stores a validated message through the store's group commit and,
// once it is durable, wakes the dispatcher so delivery starts at once.
#pragma once

#include <functional>

#include "core/metrics.h"
#include "store/inbox_store.h"
#include "store/store.h"

namespace postern::delivery {

// Intake's refusal of mail whose test account is over its quota: EDQUOT
// ("disk quota exceeded") of the generic category, permanent for the
// client (SMTP 552 5.2.2, HTTP 507), unlike the store's storage_full.
error_code quota_exceeded();

class Intake {
 public:
  // `on_durable` is called (on the store's writer thread, or its sync
  // stage's) once each message is durable; it must be quick.
  Intake(store::Store& store, MetricsRegistry& metrics, std::function<void()> on_durable);

  // Refuses, from now on, mail caught for a test account
  // (NewMessage::catch_account) that its quota cannot take: nothing is
  // accepted that cannot be filed. `inbox` must outlive this.
  void check_quota_with(store::InboxStore& inbox) { inbox_ = &inbox; }

  // Stores the message. `done` runs where the store's completions run
  // (store/store.h), or inline when refused before, with the id, or
  // Errc::conflict (idempotency key reused with another body),
  // quota_exceeded() (its test account is full), storage_full, overloaded,
  // storage_unavailable or shutting_down.
  void submit(store::NewMessage message, store::Completion<store::EnqueueResult> done);

 private:
  // quota_exceeded() when the message's catch account cannot take it.
  error_code quota_refusal(const store::NewMessage& message);

  store::Store& store_;
  store::InboxStore* inbox_ = nullptr;
  std::function<void()> on_durable_;
  Counter& accepted_http_;
  Counter& accepted_smtp_;
  Counter& refused_;
  Counter& refused_quota_;
};

}  // namespace postern::delivery
