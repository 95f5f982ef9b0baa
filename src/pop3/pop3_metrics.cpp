// Pop3Metrics: see pop3_metrics.h.
#include "pop3/pop3_metrics.h"

namespace postern::pop3 {

Pop3Metrics::Pop3Metrics(MetricsRegistry& registry)
    : sessions(registry, "pop3", "POP3"),
      messages_retrieved(registry.counter("postern_pop3_messages_retrieved_total",
                                          "Messages sent by POP3 RETR and TOP")),
      messages_deleted(registry.counter("postern_pop3_messages_deleted_total",
                                        "Messages removed by POP3 DELE and QUIT")) {}

}  // namespace postern::pop3
