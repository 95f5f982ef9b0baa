// Chooses the provider for each attempt among the healthy ones, and learns
// from every answer. This is the seam the delivery pipeline calls; pools,
// strategies and active health checks grow behind it (issue #4).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "providers/provider.h"

namespace postern::routing {

struct RouterOptions {
  // After a provider_down answer, a provider sits out this long, doubling
  // on each consecutive ejection up to max_ejection.
  std::chrono::milliseconds base_ejection{2000};
  std::chrono::milliseconds max_ejection{60000};
};

class Router {
 public:
  Router(std::vector<std::unique_ptr<providers::Provider>> providers, const Clock& clock, MetricsRegistry& metrics,
         RouterOptions options = {});

  // The provider for the next attempt, or nullptr when none can take mail.
  // Providers named in `avoid` are chosen only when nothing else is
  // available ("retry elsewhere first"). Thread-safe.
  providers::Provider* pick(const providers::OutboundMessage& message, const std::vector<std::string>& avoid);

  // Feeds the answer of an attempt back (passive health). Thread-safe.
  void report(const providers::Provider& provider, const providers::SendResult& result);

  // True when some provider other than those in `avoid` could take mail now.
  bool has_alternative(const std::vector<std::string>& avoid);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::unique_ptr<providers::Provider> provider;
    int consecutive_down = 0;
    SystemTime ejected_until{};
    Counter* attempts[4] = {};  // by FailureClass
  };
  bool available(const Entry& e, SystemTime now) const { return e.ejected_until <= now; }
  bool fits(const Entry& e, const providers::OutboundMessage& message) const;

  const Clock& clock_;
  RouterOptions options_;
  std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_ (the vector itself is fixed after construction)
  std::size_t next_ = 0;        // guarded by mu_
};

}  // namespace postern::routing
