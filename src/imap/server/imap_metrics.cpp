// ImapMetrics: see imap_metrics.h.
#include "imap/server/imap_metrics.h"

namespace postern::imap {

ImapMetrics::ImapMetrics(MetricsRegistry& registry)
    : sessions(registry, "imap", "IMAP"),
      idle_timeouts(registry.counter("postern_imap_idle_timeouts_total",
                                     "IMAP sessions ended for idling too long")) {}

}  // namespace postern::imap
