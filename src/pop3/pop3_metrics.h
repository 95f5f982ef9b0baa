// The POP3 server's metrics, registered once per server and updated by its
// sessions through plain references (lock-free).
#pragma once

#include "core/metrics.h"

namespace postern::pop3 {

struct Pop3Metrics {
  explicit Pop3Metrics(MetricsRegistry& registry);

  Gauge& sessions_active;
  Counter& sessions_total;
  Counter& connections_refused;  // over a connection limit or shutting down
  Counter& logins;
  Counter& login_failures;      // wrong user or password
  Counter& messages_retrieved;  // RETR and TOP answered
  Counter& messages_deleted;    // removed at UPDATE
};

}  // namespace postern::pop3
