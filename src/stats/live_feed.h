// The dashboard's live events, batched: once a round (a second by default)
// it publishes a `stats` event (queue depth, rates, the current bucket), and
// the message status changes and the mail caught into test accounts seen
// since the round before, each as one event. A node delivering ten thousand
// messages a second thus sends a handful of events a second, never one per
// message: a round keeps at most `max_messages` changes (the newest status
// of each) and says how many it left out, so that a page following a
// message it was not told about reads it again (docs/api.md "Live events").
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/message_id.h"
#include "core/periodic_task.h"
#include "core/status.h"
#include "stats/traffic_stats.h"

namespace postern::stats {

struct LiveFeedOptions {
  std::chrono::milliseconds interval{1000};
  std::size_t max_messages = 200;  // status changes per round
  std::size_t max_accounts = 100;  // test accounts named per round
};

class LiveFeed {
 public:
  // Hands an event (type, fields) to the event stream.
  using Publish = std::function<void(std::string_view type, boost::json::object fields)>;
  // The store's counts by status (Store::count_by_status: a read of its
  // counters, not of the messages).
  using QueueCounts = std::function<Result<std::vector<std::int64_t>>()>;

  LiveFeed(const TrafficStats& traffic, QueueCounts queue, Publish publish,
           LiveFeedOptions options = {});
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Thread-safe, cheap: noted for the next round.
  void message_changed(MessageId id, MessageStatus status);
  void mail_caught(const std::string& account);

  // One round: publishes what is gathered (the timer calls it; tests too).
  void flush();
  // Runs flush() every interval on a thread of its own until stop().
  void start();
  void stop();

 private:
  const TrafficStats& traffic_;
  QueueCounts queue_;
  Publish publish_;
  const LiveFeedOptions options_;
  std::mutex mu_;
  std::map<std::uint64_t, MessageStatus> messages_;  // guarded by mu_; by id
  std::uint64_t messages_left_out_ = 0;              // guarded by mu_
  std::map<std::string, std::uint64_t> caught_;      // guarded by mu_; by account
  std::uint64_t caught_left_out_ = 0;                // guarded by mu_
  PeriodicTask task_;  // last: stopped (by its destructor) before the rest goes
};

}  // namespace postern::stats
