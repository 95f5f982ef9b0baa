#include "store/write_outage_log.h"

#include <spdlog/spdlog.h>

namespace postern::store {

void WriteOutageLog::failed(const error_code& why) {
  ++failed_;
  const auto now = clock_.steady_now();
  if (logged_at_ && now - *logged_at_ < period_) {
    ++unlogged_;
    return;
  }
  if (unlogged_ == 0) {
    spdlog::warn("store: cannot begin a transaction: {}", why.message());
  } else {
    spdlog::warn("store: cannot begin a transaction: {} ({} more failed batches not logged)",
                 why.message(), unlogged_);
  }
  unlogged_ = 0;
  logged_at_ = now;
}

void WriteOutageLog::committed() {
  if (failed_ == 0) return;
  spdlog::info("store: writes resumed after {} failed batches", failed_);
  failed_ = 0;
  unlogged_ = 0;
  logged_at_.reset();
}

}  // namespace postern::store
