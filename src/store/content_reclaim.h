// The content files no row refers to any more, removed after deletes
// (Store::reclaim_content_space), as the store's retention and the test
// inbox's expiry both need. A reclaim is owed at the first round (content
// left by earlier runs, or by a reclaim that failed) and after each round
// that deleted something; the bytes freed are counted in
// postern_store_reclaimed_bytes_total, one counter for both.
//
// The two sweepers run on threads of their own and may reclaim at the same
// time: that is safe (ContentLog::reclaim removes only segments below its
// committed floor that no committed row refers to; a segment the other one
// removed first is skipped and not counted), merely a search done twice.
#pragma once

#include <cstdint>

#include "core/metrics.h"
#include "store/store.h"

namespace postern::store {

class ContentReclaim {
 public:
  ContentReclaim(Store& store, MetricsRegistry& metrics)
      : store_(store),
        freed_(metrics.counter("postern_store_reclaimed_bytes_total",
                               "Bytes of content files removed once no message referred to them")) {
  }

  void owe() { owed_ = true; }
  // Reclaims if owed; answers the bytes freed (0 when not owed). Used by
  // one round at a time.
  Result<std::uint64_t> run_if_owed() {
    if (!owed_) return std::uint64_t{0};
    auto freed = store_.reclaim_content_space();
    if (!freed) return freed;
    owed_ = false;
    freed_.inc(*freed);
    return freed;
  }

 private:
  Store& store_;
  Counter& freed_;
  bool owed_ = true;
};

}  // namespace postern::store
