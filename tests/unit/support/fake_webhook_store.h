// A WebhookStore in memory for unit tests of the webhook sender and the
// webhook endpoints API: the semantics of store/webhook_store.h (fan-out
// from a cursor, per-message order of due deliveries, failing_since),
// writes answered at once on the caller's thread, and a condition a test
// waits on for the sender's writes.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "store/webhook_store.h"

namespace postern::test {

class FakeWebhookStore : public store::WebhookStore {
 public:
  // Records an event as the store's writer does with a state change, and
  // announces it.
  void record_event(store::WebhookEvent e) {
    {
      std::lock_guard lock(mu);
      e.id = ++last_event;
      events.push_back(std::move(e));
    }
    changed();
  }

  // Waits (bounded) until `pred` holds under the lock; false on timeout.
  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return pred(*this); });
  }

  void create_endpoint(store::WebhookEndpoint endpoint, store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      if (endpoints.contains(endpoint.id)) return done(make_error_code(Errc::conflict));
      cursors[endpoint.id] = last_event;
      endpoints[endpoint.id] = std::move(endpoint);
    }
    written(done);
  }

  void delete_endpoint(std::string id, store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      if (!endpoints.erase(id)) return done(make_error_code(Errc::not_found));
      std::erase_if(queue, [&](const auto& d) { return d.second.endpoint_id == id; });
    }
    written(done);
  }

  void disable_endpoint(std::string id, SystemTime at, std::string reason,
                        store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      auto it = endpoints.find(id);
      if (it == endpoints.end()) return done(make_error_code(Errc::not_found));
      it->second.enabled = false;
      it->second.disabled_at = at;
      it->second.disabled_reason = std::move(reason);
    }
    written(done);
  }

  void enable_endpoint(std::string id, SystemTime now, store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      auto it = endpoints.find(id);
      if (it == endpoints.end()) return done(make_error_code(Errc::not_found));
      auto& ep = it->second;
      if (!ep.enabled) {
        ep.enabled = true;
        ep.disabled_at = {};
        ep.disabled_reason.clear();
        ep.failing_since = {};
        cursors[id] = last_event;
        for (auto& [_, d] : queue)
          if (d.endpoint_id == id && d.state == store::WebhookDeliveryState::pending)
            d.next_attempt_at = std::min(d.next_attempt_at, now);
      }
    }
    written(done);
    changed();
  }

  void fan_out(std::string endpoint_id, SystemTime now, std::size_t limit,
               store::Completion<std::size_t> done) override {
    std::size_t read = 0;
    {
      std::lock_guard lock(mu);
      auto it = endpoints.find(endpoint_id);
      if (it == endpoints.end() || !it->second.enabled) return done(std::size_t{0});
      auto& cursor = cursors[endpoint_id];
      const auto& subscribed = it->second.events;
      for (const auto& e : events) {
        if (e.id <= cursor) continue;
        if (read == limit) break;
        ++read;
        cursor = e.id;
        if (!subscribed.empty() &&
            std::find(subscribed.begin(), subscribed.end(), e.type) == subscribed.end())
          continue;
        store::WebhookDelivery d;
        d.id = ++last_delivery;
        d.endpoint_id = endpoint_id;
        d.event = e;
        d.created_at = now;
        d.next_attempt_at = now;
        queue[d.id] = std::move(d);
      }
    }
    written([&](Result<void>) { done(read); });
    if (read > 0) changed();
  }

  void record_delivery_attempt(store::WebhookAttempt a, store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      auto it = queue.find(a.delivery_id);
      if (it == queue.end()) return done(make_error_code(Errc::not_found));
      auto& d = it->second;
      ++d.attempts;
      d.last_attempt_at = a.at;
      d.last_status = a.status;
      d.last_error = a.error;
      d.last_latency = a.latency;
      if (a.delivered) {
        d.state = store::WebhookDeliveryState::delivered;
      } else if (a.retry_at) {
        d.next_attempt_at = *a.retry_at;
      } else {
        d.state = store::WebhookDeliveryState::failed;
      }
      attempts.push_back(a);
      auto ep = endpoints.find(d.endpoint_id);
      if (ep != endpoints.end()) {
        if (a.delivered)
          ep->second.failing_since = {};
        else if (ep->second.failing_since == SystemTime{})
          ep->second.failing_since = a.at;
      }
    }
    written(done);
  }

  // The due ones, each then not due until the lease ends (the owner is not kept).
  void lease_deliveries(std::string endpoint_id, std::string owner, SystemTime now,
                        std::chrono::seconds lease, std::size_t limit,
                        store::Completion<std::vector<store::WebhookDelivery>> done) override {
    auto due = due_deliveries(endpoint_id, now, limit).value();
    {
      std::lock_guard lock(mu);
      for (auto& d : due) d.next_attempt_at = queue[d.id].next_attempt_at = now + lease;
      leases.push_back({std::move(owner), lease});
    }
    written([&](Result<void>) { done(std::move(due)); });
  }

  void redeliver(std::int64_t delivery_id, SystemTime now, store::Completion<void> done) override {
    {
      std::lock_guard lock(mu);
      auto it = queue.find(delivery_id);
      if (it == queue.end()) return done(make_error_code(Errc::not_found));
      it->second.state = store::WebhookDeliveryState::pending;
      it->second.next_attempt_at = now;
    }
    written(done);
    changed();
  }

  void purge_webhook_log(SystemTime, std::size_t, store::Completion<std::size_t> done) override {
    done(std::size_t{0});
  }

  void on_change(std::function<void()> l) override {
    std::lock_guard lock(mu);
    listener = std::move(l);
  }

  Result<std::vector<store::WebhookEndpoint>> list_endpoints() override {
    std::lock_guard lock(mu);
    std::vector<store::WebhookEndpoint> out;
    for (const auto& [_, e] : endpoints) out.push_back(e);
    return out;
  }

  Result<std::optional<store::WebhookEndpoint>> endpoint(std::string_view id) override {
    std::lock_guard lock(mu);
    auto it = endpoints.find(std::string(id));
    if (it == endpoints.end()) return std::optional<store::WebhookEndpoint>();
    return std::optional<store::WebhookEndpoint>(it->second);
  }

  Result<std::vector<store::WebhookDelivery>> due_deliveries(std::string_view endpoint_id,
                                                             SystemTime now,
                                                             std::size_t limit) override {
    std::lock_guard lock(mu);
    std::vector<store::WebhookDelivery> out;
    std::set<MessageId> seen;  // messages whose earliest pending one was met
    for (const auto& [_, d] : queue) {
      if (d.endpoint_id != endpoint_id || d.state != store::WebhookDeliveryState::pending) continue;
      if (!seen.insert(d.event.message).second) continue;
      if (d.next_attempt_at <= now && out.size() < limit) out.push_back(d);
    }
    return out;
  }

  Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id) override {
    std::lock_guard lock(mu);
    std::optional<SystemTime> next;
    std::set<MessageId> seen;  // as due_deliveries: only each message's earliest pending one
    for (const auto& [_, d] : queue) {
      if (d.endpoint_id != endpoint_id || d.state != store::WebhookDeliveryState::pending) continue;
      if (!seen.insert(d.event.message).second) continue;
      if (!next || d.next_attempt_at < *next) next = d.next_attempt_at;
    }
    return next;
  }

  Result<std::vector<store::WebhookDelivery>> deliveries_of(std::string_view endpoint_id) {
    return deliveries_page(endpoint_id, 0, 1000);
  }

  Result<std::vector<store::WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                         std::int64_t before_id,
                                                         std::size_t limit) override {
    return deliveries_page(endpoint_id, before_id, limit);
  }

  Result<std::optional<store::WebhookDelivery>> delivery(std::int64_t id) override {
    std::lock_guard lock(mu);
    auto it = queue.find(id);
    if (it == queue.end()) return std::optional<store::WebhookDelivery>();
    return std::optional<store::WebhookDelivery>(it->second);
  }

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, store::WebhookEndpoint> endpoints;
  std::map<std::string, std::int64_t> cursors;
  std::vector<store::WebhookEvent> events;
  std::map<std::int64_t, store::WebhookDelivery> queue;
  std::vector<store::WebhookAttempt> attempts;
  struct Lease {
    std::string owner;
    std::chrono::seconds length;
  };
  std::vector<Lease> leases;  // every lease_deliveries call
  std::int64_t last_event = 0;
  std::int64_t last_delivery = 0;
  std::function<void()> listener;

 private:
  Result<std::vector<store::WebhookDelivery>> deliveries_page(std::string_view endpoint_id,
                                                              std::int64_t before_id,
                                                              std::size_t limit) {
    std::lock_guard lock(mu);
    std::vector<store::WebhookDelivery> out;
    for (auto it = queue.rbegin(); it != queue.rend() && out.size() < limit; ++it) {
      if (it->second.endpoint_id != endpoint_id) continue;
      if (before_id != 0 && it->first >= before_id) continue;
      out.push_back(it->second);
    }
    return out;
  }

  template <class Done>
  void written(Done&& done) {
    cv.notify_all();
    done(Result<void>());
  }

  void changed() {
    std::function<void()> l;
    {
      std::lock_guard lock(mu);
      l = listener;
    }
    if (l) l();
  }
};

}  // namespace postern::test
