// Retention: messages that ended (sent, failed, cancelled) longer ago than
// store.retention are deleted, then the content files no message refers to
// any more. Without it the store grows by every message ever accepted until
// the disk is full and intake stops.
//
// The webhook log (store/webhook_store.h) is kept as long: a delivery that
// ended (delivered or failed) longer ago than store.retention goes, with
// the events no endpoint needs any more; a message's deliveries thus go
// about when the message does.
//
// Runs on a thread of its own (core/periodic_task.h), on one node of those
// sharing the store at a time (cluster_link.h). Deletes go through the
// store's writer in batches of `batch` messages, so intake waits for at
// most one batch at a time; the search for content still referenced runs
// on a reader.
#pragma once

#include <chrono>
#include <cstddef>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/periodic_task.h"
#include "store/content_reclaim.h"
#include "store/store.h"
#include "store/webhook_store.h"

namespace postern::store {

struct RetentionOptions {
  // How long an ended message is kept (store.retention); 0: forever, and
  // no sweeper runs.
  std::chrono::milliseconds retention{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds interval{};  // between sweeps; 0: retention_interval(retention)
  std::size_t batch = 1000;              // messages deleted per transaction
  bool enabled() const { return retention.count() > 0; }
};

// The sweep interval for a retention period: a tenth of it, between one
// second and ten minutes, so that nothing is kept much beyond its time.
std::chrono::milliseconds retention_interval(std::chrono::milliseconds retention);

struct SweepResult {
  std::size_t purged = 0;              // messages deleted
  std::size_t webhook_deliveries = 0;  // ended webhook deliveries deleted
  std::uint64_t bytes_freed = 0;       // content files removed
};

class RetentionSweeper {
 public:
  RetentionSweeper(Store& store, const Clock& clock, MetricsRegistry& metrics,
                   RetentionOptions options);
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // Also sweeps the webhook log of `webhooks` (outlives this). Before start().
  void purge_webhooks_with(WebhookStore& webhooks) { webhooks_ = &webhooks; }
  // Starts sweeping every interval, the first sweep at once.
  void start() { task_.start(); }
  // Waits for a sweep under way to finish its batch. Idempotent.
  void stop() { task_.stop(); }
  // One whole sweep on the caller's thread. Errors: those of the store.
  Result<SweepResult> sweep();

 private:
  void run();
  // Deletes in batches what `purge` finds; answers how many.
  template <class Purge>
  Result<std::size_t> purge_all(Purge purge);

  Store& store_;
  WebhookStore* webhooks_ = nullptr;
  const Clock& clock_;
  RetentionOptions options_;
  Counter& purged_;
  Counter& purged_deliveries_;
  ContentReclaim reclaim_;  // used by one sweep at a time
  PeriodicTask task_;       // last: stopped (by its destructor) before the rest goes
};

}  // namespace postern::store
