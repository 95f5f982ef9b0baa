#include "routing/router.h"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace postern::routing {

using providers::FailureClass;

Router::Router(std::vector<std::unique_ptr<providers::Provider>> providers, const Clock& clock,
               MetricsRegistry& metrics, RouterOptions options)
    : clock_(clock), options_(options) {
  for (auto& p : providers) {
    Entry e;
    for (auto c : {FailureClass::ok, FailureClass::transient, FailureClass::provider_down, FailureClass::permanent}) {
      e.attempts[static_cast<int>(c)] = &metrics.counter(
          "postern_provider_attempts_total", "Delivery attempts by provider and answer class",
          {{"provider", p->name()}, {"class", std::string(to_string(c))}});
    }
    e.provider = std::move(p);
    entries_.push_back(std::move(e));
  }
}

bool Router::fits(const Entry& e, const providers::OutboundMessage& message) const {
  auto max_rcpt = e.provider->max_recipients();
  if (max_rcpt != 0 && message.envelope().recipients.size() > max_rcpt) return false;
  auto max_size = e.provider->max_message_bytes();
  return max_size == 0 || message.content().size() <= max_size;
}

providers::Provider* Router::pick(const providers::OutboundMessage& message, const std::vector<std::string>& avoid) {
  std::lock_guard lock(mu_);
  if (entries_.empty()) return nullptr;
  auto now = clock_.now();
  auto avoided = [&](const Entry& e) { return std::find(avoid.begin(), avoid.end(), e.provider->name()) != avoid.end(); };
  // Round robin, first pass without the avoided providers, second with them.
  for (bool allow_avoided : {false, true}) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      auto& e = entries_[(next_ + i) % entries_.size()];
      if (!available(e, now) || !fits(e, message) || (!allow_avoided && avoided(e))) continue;
      next_ = (next_ + i + 1) % entries_.size();
      return e.provider.get();
    }
  }
  return nullptr;
}

bool Router::has_alternative(const std::vector<std::string>& avoid) {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return available(e, now) && std::find(avoid.begin(), avoid.end(), e.provider->name()) == avoid.end();
  });
}

void Router::report(const providers::Provider& provider, const providers::SendResult& result) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (e.provider.get() != &provider) continue;
    e.attempts[static_cast<int>(result.failure_class)]->inc();
    if (result.failure_class == FailureClass::provider_down) {
      // Eject, with a pause that grows while the provider keeps failing.
      auto pause = std::min(options_.max_ejection, options_.base_ejection * (1 << std::min(e.consecutive_down, 10)));
      ++e.consecutive_down;
      e.ejected_until = clock_.now() + pause;
      spdlog::warn("routing: provider {} ejected for {} ms: {} {}", provider.name(), pause.count(), result.code,
                   result.detail);
    } else if (result.failure_class == FailureClass::ok) {
      e.consecutive_down = 0;
    }
    return;
  }
}

}  // namespace postern::routing
