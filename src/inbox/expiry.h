// Expiry of the test inbox (docs/inbox.md, "Expiry"): caught mail older
// than its account's retention is removed, and accounts (not the catch-all)
// unused for their retention go with their mail; then the content files no
// blob refers to any more are removed, so the bytes return to the disk.
//
// Runs on a thread of its own (core/periodic_task.h), every
// inbox.expiry_interval, on one node of those sharing the store at a time
// (store/cluster_link.h). Removals go through the store's writer in batches
// of `batch`, so deliveries and IMAP sessions wait for at most one batch.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/periodic_task.h"
#include "store/content_reclaim.h"
#include "store/inbox_store.h"
#include "store/store.h"

namespace postern::inbox {

struct ExpiryOptions {
  std::chrono::milliseconds interval{std::chrono::minutes(1)};  // inbox.expiry_interval
  std::size_t batch = 1000;  // entries (and accounts) removed per transaction
};

struct ExpiryResult {
  store::ExpiryCounts removed;
  std::uint64_t bytes_freed = 0;  // content files removed
};

class InboxExpiry {
 public:
  // `store` holds `inbox` (NodeStore::inbox()) and reclaims its content.
  InboxExpiry(store::InboxStore& inbox, store::Store& store, const Clock& clock,
              MetricsRegistry& metrics, ExpiryOptions options);
  InboxExpiry(const InboxExpiry&) = delete;
  InboxExpiry& operator=(const InboxExpiry&) = delete;

  // Sweeps every interval, the first sweep at once.
  void start() { task_.start(); }
  // Waits for a sweep under way to finish its batch. Idempotent.
  void stop() { task_.stop(); }
  // One whole sweep on the caller's thread. Errors: those of the store.
  Result<ExpiryResult> sweep();

 private:
  void run();

  store::InboxStore& inbox_;
  store::ClusterLink& cluster_;  // sweeps while this node leads the jobs
  const Clock& clock_;
  ExpiryOptions options_;
  Counter& messages_;
  Counter& accounts_;
  store::ContentReclaim reclaim_;  // used by one sweep at a time
  PeriodicTask task_;              // last: stopped (by its destructor) before the rest goes
};

}  // namespace postern::inbox
