// The suppression list in memory, in front of the store's (event_store.h):
// intake asks for every message whether a recipient is on it, and a read
// of the database per message would be the hot path's only read (its
// cost is in docs/events.md, "Suppression list"). As auth::Authenticator
// caches keys, this keeps the keys of the list in a set: loaded at start,
// changed at once by this process's writes that pass through it, and
// reloaded in the background every `refresh` so that other processes'
// changes (`postern suppressions` on the same store, another node) are
// seen within that time.
//
// It is an EventStore itself: writes and reads other than suppressed_among
// go to the store, and the set follows the writes the store reported done
// (added and removed addresses, recorded bounces and complaints).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/periodic_task.h"
#include "store/event_store.h"

namespace postern::delivery {

class SuppressionCache final : public store::EventStore {
 public:
  explicit SuppressionCache(store::EventStore& backend,
                            std::chrono::milliseconds refresh = std::chrono::seconds(5));
  ~SuppressionCache() override;

  // Reads the whole list from the store; the first call before intake
  // starts, the later ones from the refresh. An error keeps the set as it
  // was.
  Result<void> load();
  // Reloads every `refresh` on a thread of its own, until stop().
  void start();
  void stop();
  // Keys held.
  std::size_t size() const;

  // store::EventStore
  void record_provider_events(std::vector<events::ProviderEvent> batch,
                              store::Completion<std::vector<store::EventOutcome>> done) override;
  void add_suppressions(std::vector<store::Suppression> entries,
                        store::Completion<std::size_t> done) override;
  void remove_suppression(std::string address, store::Completion<bool> done) override;
  Result<std::optional<store::Suppression>> suppression(std::string_view address) override;
  Result<std::vector<store::Suppression>> list_suppressions(std::string_view after_key,
                                                            std::size_t limit) override;
  // From memory: never reads the store.
  Result<std::vector<std::string>> suppressed_among(
      const std::vector<std::string>& addresses) override;
  Result<std::vector<store::StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                                   std::size_t limit) override;

 private:
  struct State;
  // Adds (or removes) keys, now and in a reload under way.
  void apply(const std::vector<std::string>& keys, bool add);

  store::EventStore& backend_;
  std::shared_ptr<State> state_;
  PeriodicTask refresher_;
};

}  // namespace postern::delivery
