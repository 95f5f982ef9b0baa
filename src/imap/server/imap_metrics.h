// The IMAP server's metrics, registered once per server and updated by its
// sessions through plain references (lock-free).
#pragma once

#include "core/metrics.h"

namespace postern::imap {

struct ImapMetrics {
  explicit ImapMetrics(MetricsRegistry& registry);

  Gauge& sessions_active;
  Counter& sessions_total;
  Counter& connections_refused;  // over a connection limit or shutting down
  Counter& logins;
  Counter& login_failures;  // wrong user or password
  Counter& idle_timeouts;   // sessions ended by autologout
};

}  // namespace postern::imap
