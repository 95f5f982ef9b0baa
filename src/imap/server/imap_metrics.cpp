// ImapMetrics: see imap_metrics.h.
#include "imap/server/imap_metrics.h"

namespace postern::imap {

ImapMetrics::ImapMetrics(MetricsRegistry& registry)
    : sessions_active(registry.gauge("postern_imap_sessions_active", "IMAP sessions open now")),
      sessions_total(registry.counter("postern_imap_sessions_total", "IMAP sessions accepted")),
      connections_refused(registry.counter("postern_imap_connections_refused_total",
                                           "IMAP connections refused at the greeting")),
      logins(registry.counter("postern_imap_logins_total", "IMAP logins", {{"result", "ok"}})),
      login_failures(
          registry.counter("postern_imap_logins_total", "IMAP logins", {{"result", "refused"}})),
      idle_timeouts(registry.counter("postern_imap_idle_timeouts_total",
                                     "IMAP sessions ended for idling too long")) {}

}  // namespace postern::imap
