#include "events/webhook_receiver.h"

#include <spdlog/spdlog.h>

#include <array>

namespace postern::events {

WebhookReceiver::WebhookReceiver(WebhookLookup lookup, store::EventStore& store,
                                 MetricsRegistry& metrics, const Clock& clock,
                                 WebhookReceiverOptions options)
    : lookup_(std::move(lookup)),
      store_(store),
      metrics_(metrics),
      clock_(clock),
      options_(options) {}

void WebhookReceiver::receive(const std::string& provider, const net::HttpHeaders& headers,
                              std::string_view body, std::function<void(WebhookAnswer)> done) {
  auto webhook = lookup_(provider);
  if (!webhook) {
    // Not counted by name: the name is the caller's to choose.
    return done({.status = 404,
                 .code = "unknown_webhook",
                 .message = "no provider named '" + provider + "' with webhook settings",
                 .field = "provider"});
  }
  if (body.size() > options_.max_body_bytes) {
    return refused(
        provider, 413,
        {"too_large",
         "the body is larger than " + std::to_string(options_.max_body_bytes) + " bytes", false},
        done);
  }
  providers::WebhookRequest request{headers, body, clock_.now()};
  int refusal_status = webhook->refusal_status();
  webhook->receive(request, [this, provider, refusal_status, webhook,
                             done = std::move(done)](providers::WebhookResult result) mutable {
    if (!result) {
      const auto& refusal = result.error();
      return refused(provider, refusal.retry_later ? 503 : refusal_status, refusal, done);
    }
    record(provider, std::move(*result), std::move(done));
  });
}

void WebhookReceiver::refused(const std::string& provider, int status,
                              const providers::WebhookRefusal& refusal,
                              const std::function<void(WebhookAnswer)>& done) {
  metrics_
      .counter("postern_webhook_refused_total",
               "Provider webhook requests refused (not verified, malformed, too large), by reason",
               {{"provider", provider}, {"reason", refusal.reason}})
      .inc();
  spdlog::warn("webhook {}: refused ({}, {}): {}", provider, status, refusal.reason,
               refusal.message);
  done({.status = status, .code = refusal.reason, .message = refusal.message});
}

void WebhookReceiver::record(const std::string& provider, providers::WebhookReport report,
                             std::function<void(WebhookAnswer)> done) {
  WebhookAnswer answer;
  answer.ignored = report.ignored;
  answer.note = std::move(report.note);
  if (report.ignored > 0) {
    metrics_
        .counter("postern_webhook_events_ignored_total",
                 "Provider reports of kinds Postern does not keep (opens, clicks, ...)",
                 {{"provider", provider}})
        .inc(report.ignored);
  }
  if (report.events.empty()) return done(std::move(answer));
  for (auto& e : report.events) e.provider = provider;
  std::vector<RecipientEventType> types;
  types.reserve(report.events.size());
  for (const auto& e : report.events) types.push_back(e.type);
  store_.record_provider_events(
      std::move(report.events),
      [this, provider, types = std::move(types), answer = std::move(answer),
       done = std::move(done)](Result<std::vector<store::EventOutcome>> outcomes) mutable {
        if (!outcomes) {
          spdlog::error("webhook {}: the events could not be recorded: {}", provider,
                        outcomes.error().message());
          return done({.status = 503,
                       .code = "store_unavailable",
                       .message = "the events could not be recorded (" +
                                  outcomes.error().message() + "); send them again"});
        }
        // New events by type: the registry is asked once per type, not
        // per event (a SendGrid batch holds hundreds).
        constexpr auto kTypes = static_cast<std::size_t>(RecipientEventType::deferred) + 1;
        std::array<std::uint64_t, kTypes> by_type{};
        for (std::size_t i = 0; i < outcomes->size() && i < types.size(); ++i) {
          auto outcome = (*outcomes)[i];
          if (outcome == store::EventOutcome::duplicate) {
            ++answer.duplicates;
            continue;
          }
          ++(outcome == store::EventOutcome::recorded ? answer.recorded : answer.unmatched);
          ++by_type[static_cast<std::size_t>(types[i])];
        }
        for (std::size_t t = 0; t < by_type.size(); ++t) {
          if (by_type[t] == 0) continue;
          metrics_
              .counter("postern_webhook_events_total",
                       "Provider events taken in from webhooks (new, not duplicates), by type",
                       {{"provider", provider},
                        {"type", std::string(to_str(static_cast<RecipientEventType>(t)))}})
              .inc(by_type[t]);
        }
        done(std::move(answer));
      });
}

}  // namespace postern::events
