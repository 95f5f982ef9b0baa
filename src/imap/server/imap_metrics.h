// The IMAP server's metrics, registered once per server and updated by its
// sessions through plain references (lock-free).
#pragma once

#include "core/metrics.h"
#include "net/session_metrics.h"

namespace postern::imap {

struct ImapMetrics {
  explicit ImapMetrics(MetricsRegistry& registry);

  net::SessionMetrics sessions;  // sessions, refusals and logins
  Counter& idle_timeouts;        // sessions ended by autologout
};

}  // namespace postern::imap
