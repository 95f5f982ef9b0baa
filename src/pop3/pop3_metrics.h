// The POP3 server's metrics, registered once per server and updated by its
// sessions through plain references (lock-free).
#pragma once

#include "core/metrics.h"
#include "net/session_metrics.h"

namespace postern::pop3 {

struct Pop3Metrics {
  explicit Pop3Metrics(MetricsRegistry& registry);

  net::SessionMetrics sessions;  // sessions, refusals and logins
  Counter& messages_retrieved;   // RETR and TOP answered
  Counter& messages_deleted;     // removed at UPDATE
};

}  // namespace postern::pop3
