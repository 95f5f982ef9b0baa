// The event a reclaimed lease leaves in a message's timeline
// (Store::reclaim_leases), the same on every backend.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace postern::store {

// Why a message went back to the queue.
inline constexpr std::string_view kReclaimedExpired =
    "lease expired; the worker holding it stopped or lost it";
inline constexpr std::string_view kReclaimedAtStart =
    "leased by this node before it restarted; queued again at its start";

inline Event reclaimed_event(SystemTime at, std::string_view why) {
  Event e;
  e.at = at;
  e.type = "reclaimed";
  e.status = MessageStatus::queued;
  e.detail = std::string(why);
  return e;
}

}  // namespace postern::store
