// Intake: the one door into the durable queue for every protocol (HTTP,
// SMTP). It stores a validated message through the store's group commit and,
// once it is durable, wakes the dispatcher so delivery starts at once.
#pragma once

#include <functional>

#include "core/metrics.h"
#include "store/store.h"

namespace postern::delivery {

class Intake {
 public:
  // `on_durable` is called (on the store's writer thread, or its sync
  // stage's) once each message is durable; it must be quick.
  Intake(store::Store& store, MetricsRegistry& metrics, std::function<void()> on_durable);

  // Stores the message. `done` runs where the store's completions run
  // (store/store.h) with the id, or Errc::conflict
  // (idempotency key reused with another body), storage_full, overloaded,
  // storage_unavailable or shutting_down.
  void submit(store::NewMessage message, store::Completion<store::EnqueueResult> done);

 private:
  store::Store& store_;
  std::function<void()> on_durable_;
  Counter& accepted_http_;
  Counter& accepted_smtp_;
  Counter& refused_;
};

}  // namespace postern::delivery
