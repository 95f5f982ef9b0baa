// What every backend's writer makes of an AttemptRecord (store.h) alike:
// the record of a leased message that cannot be sent, the recipients that
// have the message, and the event that goes in its timeline.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "store/store.h"

namespace postern::store {

// The failure a writer records for a just-leased message that must not be
// sent (unreadable content, every recipient suppressed).
inline AttemptRecord lease_failure(MessageId id, std::string failure_class, std::string code,
                                   std::string detail, bool counts_as_attempt) {
  AttemptRecord failed;
  failed.id = id;
  failed.next_status = MessageStatus::failed;
  failed.failure_class = std::move(failure_class);
  failed.code = std::move(code);
  failed.detail = std::move(detail);
  failed.counts_as_attempt = counts_as_attempt;
  return failed;
}

// The settled recipients that have the message: the record's settled ones
// less those refused for good.
inline std::vector<std::string> delivered_recipients(const AttemptRecord& rec) {
  auto delivered = rec.settled_recipients;
  std::erase_if(delivered, [&](const std::string& a) {
    return std::find(rec.refused_recipients.begin(), rec.refused_recipients.end(), a) !=
           rec.refused_recipients.end();
  });
  return delivered;
}

// The timeline event of an attempt recorded at `at`.
inline Event attempt_event(const AttemptRecord& rec, SystemTime at) {
  Event e;
  e.at = at;
  e.type = std::string(to_string(rec.next_status));
  e.status = rec.next_status;
  e.provider = rec.provider;
  e.failure_class = rec.failure_class;
  e.code = rec.code;
  e.latency = rec.latency;
  e.detail = rec.detail;
  return e;
}

}  // namespace postern::store
