// SmtpMetrics: see smtp_metrics.h.
#include "smtp/smtp_metrics.h"

#include <string>

namespace postern::smtp {

SmtpMetrics::SmtpMetrics(MetricsRegistry& registry)
    : sessions_active(registry.gauge("postern_smtp_sessions_active", "SMTP sessions open now")),
      sessions_total(registry.counter("postern_smtp_sessions_total", "SMTP sessions accepted")),
      connections_refused(registry.counter("postern_smtp_connections_refused_total",
                                           "SMTP connections refused with 421 at the greeting")),
      messages_accepted(registry.counter("postern_smtp_messages_total",
                                         "Messages received over SMTP", {{"result", "accepted"}})),
      messages_refused(registry.counter("postern_smtp_messages_total",
                                        "Messages received over SMTP", {{"result", "refused"}})),
      auth_failures(
          registry.counter("postern_smtp_auth_failures_total", "Failed SMTP AUTH attempts")) {
  for (std::size_t i = 0; i < kVerbCount; ++i) {
    commands_[i] = &registry.counter("postern_smtp_commands_total", "SMTP commands received",
                                     {{"command", std::string(verb_name(static_cast<Verb>(i)))}});
  }
  for (std::size_t i = 0; i < replies_.size(); ++i) {
    replies_[i] = &registry.counter("postern_smtp_replies_total", "SMTP replies sent",
                                    {{"class", std::to_string(i + 2) + "xx"}});
  }
}

void SmtpMetrics::reply(int code) {
  int cls = code / 100;
  if (cls >= 2 && cls <= 5) replies_[static_cast<std::size_t>(cls - 2)]->inc();
}

}  // namespace postern::smtp
