#include "delivery/intake.h"

namespace postern::delivery {

Intake::Intake(store::Store& store, MetricsRegistry& metrics, std::function<void()> on_durable)
    : store_(store),
      on_durable_(std::move(on_durable)),
      accepted_http_(metrics.counter("postern_messages_accepted_total",
                                     "Messages stored durably at intake", {{"source", "http"}})),
      accepted_smtp_(metrics.counter("postern_messages_accepted_total",
                                     "Messages stored durably at intake", {{"source", "smtp"}})),
      refused_(
          metrics.counter("postern_messages_refused_total",
                          "Messages refused at intake because the store could not take them")) {}

void Intake::submit(store::NewMessage message, store::Completion<store::EnqueueResult> done) {
  Counter& accepted = message.source == "smtp" ? accepted_smtp_ : accepted_http_;
  store_.enqueue(std::move(message),
                 [this, &accepted, done = std::move(done)](Result<store::EnqueueResult> r) {
                   if (r) {
                     if (!r->replayed) {
                       accepted.inc();
                       if (on_durable_) on_durable_();
                     }
                   } else if (r.error() != Errc::conflict) {
                     refused_.inc();
                   }
                   done(std::move(r));
                 });
}

}  // namespace postern::delivery
