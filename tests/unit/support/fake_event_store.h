// An EventStore in memory for unit tests of what sits above the store
// (intake, the suppression cache, the API, the CLI): its suppression list
// is a map by suppression_key, its writes answer at once on the caller's
// thread, and it counts reads so a test can tell what was asked.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "store/event_store.h"

namespace postern::test {

class FakeEventStore : public store::EventStore {
 public:
  void record_provider_events(std::vector<events::ProviderEvent> batch,
                              store::Completion<std::vector<store::EventOutcome>> done) override {
    std::vector<store::EventOutcome> out;
    for (const auto& e : batch) {
      bool known = known_messages.contains(e.provider_message_id);
      out.push_back(known ? store::EventOutcome::recorded : store::EventOutcome::unmatched);
      if (known && events::suppresses(e.type))
        put({e.recipient, std::string(events::to_str(e.type)), e.provider, std::nullopt, e.detail,
             e.at});
    }
    if (before_answer) before_answer();  // committed, not yet answered
    done(std::move(out));
  }

  void add_suppressions(std::vector<store::Suppression> entries,
                        store::Completion<std::size_t> done) override {
    if (fail_writes) return done(make_error_code(Errc::storage_unavailable));
    std::size_t added = 0;
    for (auto& e : entries) added += put(std::move(e)) ? 1 : 0;
    ++writes;
    done(added);
  }

  void remove_suppression(std::string address, store::Completion<bool> done) override {
    if (fail_writes)
      return done(
          Result<bool>(boost::system::in_place_error, make_error_code(Errc::storage_unavailable)));
    std::lock_guard lock(mu);
    done(entries.erase(store::suppression_key(address)) > 0);
  }

  Result<std::optional<store::Suppression>> suppression(std::string_view address) override {
    ++reads;
    std::lock_guard lock(mu);
    auto it = entries.find(store::suppression_key(address));
    if (it == entries.end()) return std::optional<store::Suppression>();
    return std::optional<store::Suppression>(it->second);
  }

  Result<std::vector<store::Suppression>> list_suppressions(std::string_view after_key,
                                                            std::size_t limit) override {
    ++reads;
    if (fail_reads) return make_error_code(Errc::storage_unavailable);
    std::lock_guard lock(mu);
    std::vector<store::Suppression> out;
    for (auto it = entries.upper_bound(std::string(after_key));
         it != entries.end() && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }

  Result<std::vector<std::string>> suppressed_among(
      const std::vector<std::string>& addresses) override {
    ++reads;
    if (fail_reads) return make_error_code(Errc::storage_unavailable);
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const auto& a : addresses)
      if (entries.contains(store::suppression_key(a))) out.push_back(a);
    return out;
  }

  Result<std::vector<store::StoredProviderEvent>> unmatched_events(std::int64_t,
                                                                   std::size_t) override {
    return std::vector<store::StoredProviderEvent>{};
  }

  // Adds (true) or leaves an existing key as it is (false), as the store does.
  bool put(store::Suppression e) {
    std::lock_guard lock(mu);
    return entries.emplace(store::suppression_key(e.address), std::move(e)).second;
  }

  std::mutex mu;
  std::map<std::string, store::Suppression> entries;  // by suppression_key
  std::set<std::string> known_messages;               // provider message ids events tie to
  std::atomic<int> reads{0};
  std::atomic<int> writes{0};
  // Called between recording provider events and answering them: a test
  // looks at what others see in that window.
  std::function<void()> before_answer;
  bool fail_reads = false;
  bool fail_writes = false;
};

}  // namespace postern::test
