// SessionMetrics: see session_metrics.h.
#include "net/session_metrics.h"

namespace postern::net {

SessionMetrics::SessionMetrics(MetricsRegistry& registry, const std::string& name,
                               const std::string& title)
    : sessions_active(
          registry.gauge("postern_" + name + "_sessions_active", title + " sessions open now")),
      sessions_total(
          registry.counter("postern_" + name + "_sessions_total", title + " sessions accepted")),
      connections_refused(registry.counter("postern_" + name + "_connections_refused_total",
                                           title + " connections refused at the greeting")),
      logins(registry.counter("postern_" + name + "_logins_total", title + " logins",
                              {{"result", "ok"}})),
      login_failures(registry.counter("postern_" + name + "_logins_total", title + " logins",
                                      {{"result", "refused"}})) {}

}  // namespace postern::net
