// Pop3Metrics: see pop3_metrics.h.
#include "pop3/pop3_metrics.h"

namespace postern::pop3 {

Pop3Metrics::Pop3Metrics(MetricsRegistry& registry)
    : sessions_active(registry.gauge("postern_pop3_sessions_active", "POP3 sessions open now")),
      sessions_total(registry.counter("postern_pop3_sessions_total", "POP3 sessions accepted")),
      connections_refused(registry.counter("postern_pop3_connections_refused_total",
                                           "POP3 connections refused at the greeting")),
      logins(registry.counter("postern_pop3_logins_total", "POP3 logins", {{"result", "ok"}})),
      login_failures(
          registry.counter("postern_pop3_logins_total", "POP3 logins", {{"result", "refused"}})),
      messages_retrieved(registry.counter("postern_pop3_messages_retrieved_total",
                                          "Messages sent by POP3 RETR and TOP")),
      messages_deleted(registry.counter("postern_pop3_messages_deleted_total",
                                        "Messages removed by POP3 DELE and QUIT")) {}

}  // namespace postern::pop3
