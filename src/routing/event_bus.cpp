#include "routing/event_bus.h"

#include <boost/json/serialize.hpp>

#include "core/time_format.h"

namespace postern::routing {

namespace {

// Microseconds since the epoch (at least 1): below 2^53, so JavaScript
// clients read the ids exactly for the next 200 years.
std::uint64_t first_event_id(SystemTime now) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return us > 0 ? static_cast<std::uint64_t>(us) : 1;
}

}  // namespace

void Subscription::next(std::function<void(EventBatch)> done) {
  EventBatch batch;
  {
    std::lock_guard lock(mu_);
    if (!closed_ && queue_.empty()) {
      pending_ = std::move(done);
      return;
    }
    batch.closed = closed_ && queue_.empty();
    batch.events.assign(std::make_move_iterator(queue_.begin()),
                        std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  done(std::move(batch));
}

void Subscription::close() {
  std::function<void(EventBatch)> done;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    queue_.clear();
    done = std::move(pending_);
    pending_ = nullptr;
  }
  if (done) {
    EventBatch batch;
    batch.closed = true;
    done(std::move(batch));
  }
}

bool Subscription::is_closed() {
  std::lock_guard lock(mu_);
  return closed_;
}

void Subscription::push(const Event& event) {
  std::function<void(EventBatch)> done;
  EventBatch batch;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (pending_) {
      done = std::move(pending_);
      pending_ = nullptr;
      batch.events.push_back(event);
    } else if (queue_.size() >= max_queue_) {
      closed_ = true;  // too far behind: it reconnects with Last-Event-ID
      queue_.clear();
      return;
    } else {
      queue_.push_back(event);
      return;
    }
  }
  done(std::move(batch));
}

void Subscription::ping_if_idle(SteadyTime now, std::chrono::milliseconds interval) {
  std::function<void(EventBatch)> done;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !pending_) {
      if (!pending_) last_sent_ = now;  // the client is busy reading what it got
      return;
    }
    if (now - last_sent_ < interval) return;
    last_sent_ = now;
    done = std::move(pending_);
    pending_ = nullptr;
  }
  EventBatch batch;
  batch.ping = true;
  done(std::move(batch));
}

EventBus::EventBus(const Clock& clock, std::size_t history, std::size_t max_queue)
    : clock_(clock),
      history_size_(history),
      max_queue_(max_queue),
      next_id_(first_event_id(clock.now())) {}

std::uint64_t EventBus::publish(std::string_view type, boost::json::object fields) {
  std::vector<std::shared_ptr<Subscription>> targets;
  Event event;
  {
    std::lock_guard lock(mu_);
    event.id = next_id_++;
    event.type = std::string(type);
    boost::json::object o;
    o["id"] = event.id;
    o["type"] = type;
    o["at"] = format_rfc3339(clock_.now());
    for (auto& [k, v] : fields) {
      if (!o.contains(k)) o[k] = std::move(v);  // id, type and at are the bus's
    }
    event.data = boost::json::serialize(o);
    history_.push_back(event);
    if (history_.size() > history_size_) history_.pop_front();
    std::erase_if(subscribers_, [&](const std::weak_ptr<Subscription>& w) {
      auto s = w.lock();
      if (!s) return true;
      targets.push_back(std::move(s));
      return false;
    });
  }
  for (auto& s : targets) s->push(event);
  return event.id;
}

std::shared_ptr<Subscription> EventBus::subscribe(std::optional<std::uint64_t> after) {
  auto s = std::shared_ptr<Subscription>(new Subscription(max_queue_, clock_.steady_now()));
  std::lock_guard lock(mu_);
  if (after) {
    for (const auto& e : history_) {
      if (e.id > *after) s->push(e);
    }
  }
  subscribers_.push_back(s);
  return s;
}

void EventBus::keepalive(std::chrono::milliseconds interval) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(mu_);
    std::erase_if(subscribers_, [&](const std::weak_ptr<Subscription>& w) {
      auto s = w.lock();
      if (!s || s->is_closed()) return true;
      targets.push_back(std::move(s));
      return false;
    });
  }
  auto now = clock_.steady_now();
  for (auto& s : targets) s->ping_if_idle(now, interval);
}

std::vector<Event> EventBus::recent() const {
  std::lock_guard lock(mu_);
  return {history_.begin(), history_.end()};
}

std::size_t EventBus::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

}  // namespace postern::routing
