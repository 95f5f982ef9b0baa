// The SMTP server's metrics, registered once per server and updated by the
// session FSM and driver through plain references (lock-free).
#pragma once

#include <array>

#include "core/metrics.h"
#include "smtp/parser/command.h"

namespace postern::smtp {

class SmtpMetrics {
 public:
  explicit SmtpMetrics(MetricsRegistry& registry);

  void command(Verb verb) { commands_[static_cast<std::size_t>(verb)]->inc(); }
  // By class: 2xx, 3xx, 4xx, 5xx.
  void reply(int code);

  Gauge& sessions_active;
  Counter& sessions_total;
  Counter& connections_refused;  // over a connection limit or shutting down
  Counter& messages_accepted;
  Counter& messages_refused;  // content, size or storage refusals after DATA/BDAT
  Counter& auth_failures;

 private:
  std::array<Counter*, kVerbCount> commands_{};
  std::array<Counter*, 4> replies_{};
};

}  // namespace postern::smtp
