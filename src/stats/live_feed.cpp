#include "stats/live_feed.h"

#include "stats/stats_json.h"

namespace postern::stats {

namespace json = boost::json;

LiveFeed::LiveFeed(const TrafficStats& traffic, QueueCounts queue, Publish publish,
                   LiveFeedOptions options)
    : traffic_(traffic),
      queue_(std::move(queue)),
      publish_(std::move(publish)),
      options_(options),
      task_("live-feed", options.interval, [this] { flush(); }) {}

LiveFeed::~LiveFeed() { stop(); }

void LiveFeed::start() { task_.start(); }
void LiveFeed::stop() { task_.stop(); }

void LiveFeed::message_changed(MessageId id, MessageStatus status) {
  std::lock_guard lock(mu_);
  auto it = messages_.find(id.value());
  if (it != messages_.end()) {
    it->second = status;
  } else if (messages_.size() < options_.max_messages) {
    messages_.emplace(id.value(), status);
  } else {
    ++messages_left_out_;
  }
}

void LiveFeed::mail_caught(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = caught_.find(account);
  if (it != caught_.end()) {
    ++it->second;
  } else if (caught_.size() < options_.max_accounts) {
    caught_.emplace(account, 1);
  } else {
    ++caught_left_out_;
  }
}

void LiveFeed::flush() {
  std::map<std::uint64_t, MessageStatus> messages;
  std::map<std::string, std::uint64_t> caught;
  std::uint64_t messages_left_out = 0;
  std::uint64_t caught_left_out = 0;
  {
    std::lock_guard lock(mu_);
    messages.swap(messages_);
    caught.swap(caught_);
    std::swap(messages_left_out, messages_left_out_);
    std::swap(caught_left_out, caught_left_out_);
  }
  json::object stats{{"bucket_seconds", traffic_.bucket_width().count() / 1000},
                     {"rates", rates_json(traffic_.rates())},
                     {"bucket", bucket_json(traffic_.current())}};
  if (auto counts =
          queue_ ? queue_() : Result<std::vector<std::int64_t>>(std::vector<std::int64_t>{}))
    stats["queue"] = queue_json(*counts);
  publish_("stats", std::move(stats));

  if (!messages.empty() || messages_left_out > 0) {
    json::array list;
    for (const auto& [id, status] : messages)
      list.emplace_back(
          json::object{{"id", MessageId(id).to_string()}, {"status", to_string(status)}});
    publish_("message_status", {{"messages", std::move(list)}, {"left_out", messages_left_out}});
  }
  if (!caught.empty() || caught_left_out > 0) {
    json::object accounts;
    for (const auto& [account, n] : caught) accounts[account] = n;
    publish_("inbox_mail", {{"accounts", std::move(accounts)}, {"left_out", caught_left_out}});
  }
}

}  // namespace postern::stats
