#include "store/retention.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/await_write.h"

namespace postern::store {

std::chrono::milliseconds retention_interval(std::chrono::milliseconds retention) {
  using namespace std::chrono;
  return std::clamp<milliseconds>(retention / 10, seconds(1), minutes(10));
}

RetentionSweeper::RetentionSweeper(Store& store, const Clock& clock, MetricsRegistry& metrics,
                                   RetentionOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      purged_(
          metrics.counter("postern_store_purged_messages_total",
                          "Ended messages deleted because they were older than store.retention")),
      purged_deliveries_(metrics.counter(
          "postern_store_purged_webhook_deliveries_total",
          "Ended webhook deliveries deleted because they were older than store.retention")),
      reclaim_(store, metrics),
      task_("retention",
            options_.interval.count() != 0 ? options_.interval
                                           : retention_interval(options_.retention),
            [this] { run(); }) {}

void RetentionSweeper::run() {
  if (!store_.cluster().leads()) return;  // another node sweeps the shared store
  if (auto r = sweep(); !r) {
    spdlog::warn("retention: sweep failed, next in {} ms: {}", task_.interval().count(),
                 r.error().message());
  } else if (r->purged > 0) {
    spdlog::info(
        "retention: deleted {} messages that ended more than {} s ago; {} bytes of content freed",
        r->purged, std::chrono::duration_cast<std::chrono::seconds>(options_.retention).count(),
        r->bytes_freed);
  }
}

template <class Purge>
Result<std::size_t> RetentionSweeper::purge_all(Purge purge) {
  std::size_t total = 0;
  for (;;) {
    auto n = await_write<std::size_t>(purge);
    if (!n) return n.error();
    total += *n;
    // A short batch means nothing older is left; a stop waits for no more.
    if (*n < options_.batch || task_.stopping()) return total;
  }
}

Result<SweepResult> RetentionSweeper::sweep() {
  SweepResult result;
  auto before = clock_.now() - options_.retention;
  auto purged =
      purge_all([&](auto done) { store_.purge_ended(before, options_.batch, std::move(done)); });
  if (!purged) return purged.error();
  result.purged = *purged;
  purged_.inc(*purged);
  if (webhooks_) {
    auto deliveries = purge_all(
        [&](auto done) { webhooks_->purge_webhook_log(before, options_.batch, std::move(done)); });
    if (!deliveries) return deliveries.error();
    result.webhook_deliveries = *deliveries;
    purged_deliveries_.inc(*deliveries);
  }
  if (result.purged > 0) reclaim_.owe();
  auto freed = reclaim_.run_if_owed();
  if (!freed) return freed.error();
  result.bytes_freed = *freed;
  return result;
}

}  // namespace postern::store
