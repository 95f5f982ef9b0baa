#include "store/retention.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

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
      bytes_freed_(
          metrics.counter("postern_store_reclaimed_bytes_total",
                          "Bytes of content files removed once no message referred to them")) {
  if (options_.interval.count() == 0) options_.interval = retention_interval(options_.retention);
}

RetentionSweeper::~RetentionSweeper() { stop(); }

void RetentionSweeper::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "retention");
    run();
  });
}

void RetentionSweeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionSweeper::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void RetentionSweeper::run() {
  for (;;) {
    if (auto r = sweep(); !r) {
      spdlog::warn("retention: sweep failed, next in {} ms: {}", options_.interval.count(),
                   r.error().message());
    } else if (r->purged > 0) {
      spdlog::info(
          "retention: deleted {} messages that ended more than {} s ago; {} bytes of content freed",
          r->purged, std::chrono::duration_cast<std::chrono::seconds>(options_.retention).count(),
          r->bytes_freed);
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, options_.interval, [&] { return stopping_; })) return;
  }
}

Result<SweepResult> RetentionSweeper::sweep() {
  SweepResult result;
  auto before = clock_.now() - options_.retention;
  for (;;) {
    std::promise<Result<std::size_t>> answer;
    auto purged = answer.get_future();
    store_.purge_ended(before, options_.batch,
                       [&answer](Result<std::size_t> r) { answer.set_value(std::move(r)); });
    auto n = purged.get();
    if (!n) return n.error();
    result.purged += *n;
    purged_.inc(*n);
    // A short batch means nothing older is left; a stop waits for no more.
    if (*n < options_.batch || stopping()) break;
  }
  if (result.purged > 0) reclaim_owed_ = true;
  if (!reclaim_owed_) return result;
  auto freed = store_.reclaim_content_space();
  if (!freed) return freed.error();
  reclaim_owed_ = false;
  result.bytes_freed = *freed;
  bytes_freed_.inc(*freed);
  return result;
}

}  // namespace postern::store
