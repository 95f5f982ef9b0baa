// The metrics every test-inbox protocol server (POP3, IMAP) keeps of its
// sessions and logins, named after the protocol
// (postern_<name>_sessions_active, ...): registered once per server and
// updated by its sessions through plain references (lock-free).
#pragma once

#include <string>

#include "core/metrics.h"

namespace postern::net {

struct SessionMetrics {
  // `name` in the metric names ("imap"), `title` in their help ("IMAP").
  SessionMetrics(MetricsRegistry& registry, const std::string& name, const std::string& title);

  Gauge& sessions_active;
  Counter& sessions_total;
  Counter& connections_refused;  // over a connection limit or shutting down
  Counter& logins;
  Counter& login_failures;  // wrong user or password
};

}  // namespace postern::net
