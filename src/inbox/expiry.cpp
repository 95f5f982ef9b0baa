#include "inbox/expiry.h"

#include <spdlog/spdlog.h>

#include "store/await_write.h"

namespace postern::inbox {

InboxExpiry::InboxExpiry(store::InboxStore& inbox, store::Store& store, const Clock& clock,
                         MetricsRegistry& metrics, ExpiryOptions options)
    : inbox_(inbox),
      cluster_(store.cluster()),
      clock_(clock),
      options_(options),
      messages_(metrics.counter("postern_inbox_expired_messages_total",
                                "Caught messages removed because they were older than their "
                                "account's retention")),
      accounts_(metrics.counter("postern_inbox_expired_accounts_total",
                                "Test accounts removed with their mail after going unused for "
                                "their retention")),
      reclaim_(store, metrics),
      task_("inbox-expiry", options_.interval, [this] { run(); }) {}

void InboxExpiry::run() {
  if (!cluster_.leads()) return;  // another node sweeps the shared store
  if (auto r = sweep(); !r) {
    spdlog::warn("inbox: expiry failed, next in {} ms: {}", options_.interval.count(),
                 r.error().message());
  } else if (r->removed.entries > 0 || r->removed.accounts > 0) {
    spdlog::info(
        "inbox: expired {} messages older than their retention and {} unused accounts; {} bytes "
        "of content freed",
        r->removed.entries, r->removed.accounts, r->bytes_freed);
  }
}

Result<ExpiryResult> InboxExpiry::sweep() {
  ExpiryResult result;
  // One instant for the whole sweep: a batch cut short by the limit is
  // continued by the next with the same cut-offs.
  auto now = clock_.now();
  for (;;) {
    auto n = store::await_write<store::ExpiryCounts>(
        [&](auto done) { inbox_.expire(now, options_.batch, std::move(done)); });
    if (!n) return n.error();
    result.removed.entries += n->entries;
    result.removed.accounts += n->accounts;
    messages_.inc(n->entries);
    accounts_.inc(n->accounts);
    // A batch under the limit on both counts left nothing due; a stop waits
    // for no more.
    bool full = n->entries >= options_.batch || n->accounts >= options_.batch;
    if (!full || task_.stopping()) break;
  }
  if (result.removed.entries > 0 || result.removed.accounts > 0) reclaim_.owe();
  auto freed = reclaim_.run_if_owed();
  if (!freed) return freed.error();
  result.bytes_freed = *freed;
  return result;
}

}  // namespace postern::inbox
