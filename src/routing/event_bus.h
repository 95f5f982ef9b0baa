// Routing events (state changes, providers added and removed, reloads) for
// whoever watches: GET /v1/events streams them as server-sent events. A
// small in-process bus: publish() never blocks on a subscriber, a recent
// history lets a reconnecting client resume (Last-Event-ID), and a client
// that stops reading is dropped rather than buffered without bound.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "routing/event_ids.h"

namespace postern::routing {

struct Event {
  std::uint64_t id = 0;  // increasing, across restarts too (event_ids.h); 0: live only
  std::string type;      // "provider_state", "provider_added", ...
  std::string data;      // one JSON object: id, type, at and the event's fields
};

struct EventBatch {
  std::vector<Event> events;
  bool ping = false;    // nothing happened for a while: say so, to notice dead clients
  bool closed = false;  // the subscription ended (cancelled, or too far behind)
};

class Subscription {
 public:
  // Calls `done` once, from any thread (possibly inside this call, or
  // inside a publish(): so it must not block, or publish() would), with
  // the events published since the last batch, or a ping, or closed.
  // Requires: no other next() pending.
  void next(std::function<void(EventBatch)> done);
  // Ends the subscription; a pending next() answers closed. Thread-safe.
  void close();

 private:
  friend class EventBus;
  Subscription(std::size_t max_queue, SteadyTime now, std::vector<std::string> live)
      : max_queue_(max_queue), live_(std::move(live)), last_sent_(now) {}
  bool wants_live(std::string_view type) const;
  void push(const Event& event);
  void ping_if_idle(SteadyTime now, std::chrono::milliseconds interval);
  bool is_closed();

  std::mutex mu_;
  const std::size_t max_queue_;
  const std::vector<std::string> live_;      // the live-only types it asked for
  std::deque<Event> queue_;                  // guarded by mu_
  std::function<void(EventBatch)> pending_;  // guarded by mu_
  bool closed_ = false;                      // guarded by mu_
  SteadyTime last_sent_;                     // guarded by mu_
};

class EventBus {
 public:
  // `boot`: this start's number from the store (event_ids.h), so that ids
  // continue above those of every earlier start, whatever the clock says.
  explicit EventBus(const Clock& clock, std::uint32_t boot = 1, std::size_t history = 256,
                    std::size_t max_queue = 1024);

  // Adds id, type and at (RFC 3339) to `fields` and hands the event to every
  // subscriber. Thread-safe; never calls back into the caller. Answers the
  // id, or 0 when this boot has given out all its ids (the event is dropped
  // and an error logged: 2^32 - 1 events, decades of routing changes).
  std::uint64_t publish(std::string_view type, boost::json::object fields);
  // An event that only matters now (the dashboard's figures of the second,
  // batched status changes): handed to the subscribers of the moment with
  // no id, neither kept nor replayed, so that it neither uses up ids nor
  // pushes the routing events out of the history. A client that was away
  // reads the current state again instead. Only subscribers that asked for
  // `type` get it: the routing events' clients are not sent a stream of
  // figures they never read.
  void publish_live(std::string_view type, boost::json::object fields);
  // A new subscriber. With `after` (Last-Event-ID), what the client has not
  // seen is replayed first from the kept history: the events after `after`
  // when it is an id of this boot, else every kept event of this boot (the
  // client's id is from before a restart, or from another node). When the
  // client may have missed events that are not kept (those of another boot,
  // or ones pushed out of the history), a `stream_reset` event comes first,
  // whose id is the position just before the first replayed event.
  // `live`: the live-only event types (publish_live) it wants besides.
  std::shared_ptr<Subscription> subscribe(std::optional<std::uint64_t> after = std::nullopt,
                                          std::vector<std::string> live = {});
  // Pings subscribers that were sent nothing for `interval` (called from the
  // routing service's timer).
  void keepalive(std::chrono::milliseconds interval);

  std::vector<Event> recent() const;
  std::size_t subscribers() const;

 private:
  Event make_event(std::uint64_t id, std::string_view type, boost::json::object fields) const;

  const Clock& clock_;
  const std::uint32_t boot_;
  const std::size_t history_size_;
  const std::size_t max_queue_;
  mutable std::mutex mu_;
  std::uint64_t next_sequence_ = 1;                       // guarded by mu_
  std::deque<Event> history_;                             // guarded by mu_
  std::vector<std::weak_ptr<Subscription>> subscribers_;  // guarded by mu_
};

}  // namespace postern::routing
