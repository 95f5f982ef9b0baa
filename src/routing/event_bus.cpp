#include "routing/event_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "core/time_format.h"

namespace postern::routing {

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

bool Subscription::wants_live(std::string_view type) const {
  return std::find(live_.begin(), live_.end(), type) != live_.end();
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

EventBus::EventBus(const Clock& clock, std::uint32_t boot, std::size_t history,
                   std::size_t max_queue)
    : clock_(clock), boot_(boot), history_size_(history), max_queue_(max_queue) {}

Event EventBus::make_event(std::uint64_t id, std::string_view type,
                           boost::json::object fields) const {
  Event event;
  event.id = id;
  event.type = std::string(type);
  boost::json::object o;
  if (id != 0) o["id"] = id;
  o["type"] = type;
  o["at"] = format_rfc3339(clock_.now());
  for (auto& [k, v] : fields) {
    if (!o.contains(k)) o[k] = std::move(v);  // id, type and at are the bus's
  }
  event.data = boost::json::serialize(o);
  return event;
}

std::uint64_t EventBus::publish(std::string_view type, boost::json::object fields) {
  std::vector<std::shared_ptr<Subscription>> targets;
  Event event;
  {
    std::lock_guard lock(mu_);
    if (next_sequence_ > kMaxEventSequence) {
      // Going on would give out ids of the next boot number: a later start
      // of this node, or another node, gives those out too.
      if (next_sequence_++ == kMaxEventSequence + 1)
        spdlog::error("events: this boot has given out all its event ids; restart the node");
      return 0;
    }
    event = make_event(event_id(boot_, next_sequence_++), type, std::move(fields));
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

void EventBus::publish_live(std::string_view type, boost::json::object fields) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& w : subscribers_) {
      auto s = w.lock();
      if (s && s->wants_live(type)) targets.push_back(std::move(s));
    }
  }
  if (targets.empty()) return;
  const auto event = make_event(0, type, std::move(fields));
  for (auto& s : targets) s->push(event);
}

std::shared_ptr<Subscription> EventBus::subscribe(std::optional<std::uint64_t> after,
                                                  std::vector<std::string> live) {
  auto s = std::shared_ptr<Subscription>(
      new Subscription(max_queue_, clock_.steady_now(), std::move(live)));
  std::lock_guard lock(mu_);
  if (after) {
    // An id this boot gave out (or its start, sequence 0) resumes after
    // itself; any other (an earlier boot's, another node's, made up)
    // resumes from the start of this boot.
    const bool ours = event_id_boot(*after) == boot_ && event_id_sequence(*after) < next_sequence_;
    const std::uint64_t from = ours ? *after : event_id(boot_, 0);
    // The history holds consecutive ids, the newest last.
    const std::uint64_t oldest =
        history_.empty() ? event_id(boot_, next_sequence_) : history_.front().id;
    if (!ours || from + 1 < oldest) {
      const std::uint64_t position = std::max(from, oldest - 1);
      s->push(make_event(position, "stream_reset",
                         {{"reason", ours ? "history_trimmed" : "other_boot"}, {"boot", boot_}}));
    }
    for (const auto& e : history_) {
      if (e.id > from) s->push(e);
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
