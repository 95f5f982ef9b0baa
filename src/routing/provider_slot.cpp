#include "routing/provider_slot.h"

namespace postern::routing {

using providers::FailureClass;

std::string_view to_string(ProviderSource source) {
  switch (source) {
    case ProviderSource::config:
      return "config";
    case ProviderSource::api:
      return "api";
    case ProviderSource::heartbeat:
      return "heartbeat";
  }
  return "unknown";
}

bool same_connection(const ProviderConfig& a, const ProviderConfig& b) {
  return a.type == b.type && a.settings == b.settings;
}

bool same_attributes(const ProviderConfig& a, const ProviderConfig& b) {
  return a.pool == b.pool && a.weight == b.weight && a.priority == b.priority &&
         a.rate_limit == b.rate_limit && a.burst == b.burst &&
         a.max_concurrency == b.max_concurrency && a.probe == b.probe;
}

SlotMetrics::SlotMetrics(MetricsRegistry& m, const std::string& provider) {
  for (auto s : kProviderStates) {
    auto i = static_cast<std::size_t>(s);
    Labels labels{{"provider", provider}, {"state", std::string(to_string(s))}};
    state[i] = &m.gauge("postern_provider_state",
                        "1 for the state each provider is in, 0 for the others", labels);
    changes[i] = &m.counter("postern_provider_state_changes_total",
                            "Provider state changes, by the new state", labels);
  }
  for (auto c : {FailureClass::ok, FailureClass::transient, FailureClass::provider_down,
                 FailureClass::permanent}) {
    attempts[static_cast<std::size_t>(c)] = &m.counter(
        "postern_provider_attempts_total", "Delivery attempts by provider and answer class",
        {{"provider", provider}, {"class", std::string(to_string(c))}});
  }
  Labels p{{"provider", provider}};
  latency = &m.gauge("postern_provider_latency_seconds",
                     "EWMA of the provider's latency on accepted messages", p);
  success = &m.gauge("postern_provider_success_ratio",
                     "Accepted share of the provider's answers, last minute", p);
  in_flight = &m.gauge("postern_provider_in_flight",
                       "Attempts sent to the provider and not answered yet", p);
  ejections = &m.counter("postern_provider_ejections_total", "Ejections by outlier detection", p);
  ejections_suppressed =
      &m.counter("postern_provider_ejections_suppressed_total",
                 "Ejections refused because the provider was the last healthy one of its pool", p);
  throttled = &m.counter("postern_provider_throttled_total",
                         "429-style answers (the provider asked to slow down)", p);
  probes_ok = &m.counter("postern_provider_probes_total", "Active health probes by result",
                         {{"provider", provider}, {"result", "ok"}});
  probes_failed = &m.counter("postern_provider_probes_total", "Active health probes by result",
                             {{"provider", provider}, {"result", "failed"}});
}

ProviderSlot::ProviderSlot(std::unique_ptr<providers::Provider> provider, ProviderConfig config_in,
                           ProviderSource source_in, MetricsRegistry& metrics_registry,
                           SteadyTime now)
    : config(std::move(config_in)),
      source(source_in),
      probe(now),
      since(now),
      metrics(metrics_registry, provider->name()),
      provider_(std::move(provider)) {
  apply_limits(now);
}

bool ProviderSlot::fits(const providers::OutboundMessage& message) const {
  auto max_rcpt = provider_->max_recipients();
  if (max_rcpt != 0 && message.envelope().recipients.size() > max_rcpt) return false;
  return fits_size(message);
}

bool ProviderSlot::fits_size(const providers::OutboundMessage& message) const {
  auto max_size = provider_->max_message_bytes();
  return max_size == 0 || message.content().size() <= max_size;
}

void ProviderSlot::apply_limits(SteadyTime now) {
  auto burst =
      config.burst > 0 ? static_cast<double>(config.burst) : std::max(1.0, config.rate_limit);
  bucket.configure(config.rate_limit, burst, now);
  if (window.cap() != config.max_concurrency) window.configure(config.max_concurrency);
}

}  // namespace postern::routing
