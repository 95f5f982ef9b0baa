#include "delivery/suppression_cache.h"

#include <spdlog/spdlog.h>

#include <unordered_set>
#include <utility>

namespace postern::delivery {

namespace {

// Rows per read while loading: big enough that a list of a million
// addresses loads in a thousand reads, small enough that no read holds a
// reader connection for long.
constexpr std::size_t kLoadPage = 1000;

}  // namespace

struct SuppressionCache::State {
  mutable std::mutex mu;
  std::unordered_set<std::string> keys;  // store::suppression_key of each address
  // While a reload reads the store, this process's changes are also noted
  // here and replayed on the new set: a change committed after the reload
  // read past its key would otherwise be lost until the next reload.
  bool reloading = false;
  std::vector<std::pair<std::string, bool>> during_reload;

  void apply(const std::vector<std::string>& changed, bool add) {
    std::lock_guard lock(mu);
    for (const auto& key : changed) {
      if (add) {
        keys.insert(key);
      } else {
        keys.erase(key);
      }
      if (reloading) during_reload.emplace_back(key, add);
    }
  }

  // Adds the keys not held yet and answers those: what an undo may take
  // out again without dropping an entry that was there before.
  std::vector<std::string> add_new(const std::vector<std::string>& candidates) {
    std::lock_guard lock(mu);
    std::vector<std::string> added;
    for (const auto& key : candidates) {
      if (key.empty() || !keys.insert(key).second) continue;
      if (reloading) during_reload.emplace_back(key, true);
      added.push_back(key);
    }
    return added;
  }
};

SuppressionCache::SuppressionCache(store::EventStore& backend, std::chrono::milliseconds refresh)
    : backend_(backend),
      state_(std::make_shared<State>()),
      refresher_("suppressions", refresh, [this] {
        if (auto r = load(); !r)
          spdlog::warn("suppressions: cannot reload the list: {}", r.error().message());
      }) {}

SuppressionCache::~SuppressionCache() { stop(); }

Result<void> SuppressionCache::load() {
  {
    std::lock_guard lock(state_->mu);
    state_->reloading = true;
    state_->during_reload.clear();
  }
  std::unordered_set<std::string> fresh;
  std::string after;
  for (;;) {
    auto page = backend_.list_suppressions(after, kLoadPage);
    if (!page) {
      std::lock_guard lock(state_->mu);
      state_->reloading = false;
      return page.error();
    }
    for (const auto& s : *page) {
      after = store::suppression_key(s.address);
      fresh.insert(after);
    }
    if (page->size() < kLoadPage) break;
  }
  std::lock_guard lock(state_->mu);
  for (auto& [key, add] : state_->during_reload) {
    if (add) {
      fresh.insert(std::move(key));
    } else {
      fresh.erase(key);
    }
  }
  state_->during_reload.clear();
  state_->reloading = false;
  state_->keys.swap(fresh);
  return {};
}

void SuppressionCache::start() { refresher_.start(); }

void SuppressionCache::stop() { refresher_.stop(); }

std::size_t SuppressionCache::size() const {
  std::lock_guard lock(state_->mu);
  return state_->keys.size();
}

void SuppressionCache::apply(const std::vector<std::string>& keys, bool add) {
  state_->apply(keys, add);
}

void SuppressionCache::record_provider_events(
    std::vector<events::ProviderEvent> batch,
    store::Completion<std::vector<store::EventOutcome>> done) {
  // A bounce or complaint suppresses its address from before the write:
  // the store makes the recipient's state visible at its commit, a moment
  // (or, for a batch written in parts, several commits) before this write's
  // durable answer, and a send in between must already leave the address
  // out. What the answer shows was not recorded (a duplicate, an event
  // for an unknown message, a failed write) is taken out again, unless it
  // was on the list before.
  std::vector<std::string> candidates;
  for (const auto& e : batch) {
    candidates.push_back(events::suppresses(e.type) ? store::suppression_key(e.recipient) : "");
  }
  auto added_early = state_->add_new(candidates);
  backend_.record_provider_events(
      std::move(batch),
      [state = state_, candidates = std::move(candidates), added_early = std::move(added_early),
       done = std::move(done)](Result<std::vector<store::EventOutcome>> r) {
        std::unordered_set<std::string> recorded;
        for (std::size_t i = 0; r && i < r->size() && i < candidates.size(); ++i) {
          if ((*r)[i] == store::EventOutcome::recorded && !candidates[i].empty())
            recorded.insert(candidates[i]);
        }
        std::vector<std::string> undo;
        for (const auto& key : added_early) {
          if (!recorded.contains(key)) undo.push_back(key);
        }
        state->apply(undo, false);
        done(std::move(r));
      });
}

void SuppressionCache::add_suppressions(std::vector<store::Suppression> entries,
                                        store::Completion<std::size_t> done) {
  std::vector<std::string> keys;
  keys.reserve(entries.size());
  for (const auto& e : entries) keys.push_back(store::suppression_key(e.address));
  backend_.add_suppressions(std::move(entries), [state = state_, keys = std::move(keys),
                                                 done = std::move(done)](Result<std::size_t> r) {
    if (r) state->apply(keys, true);
    done(std::move(r));
  });
}

void SuppressionCache::remove_suppression(std::string address, store::Completion<bool> done) {
  auto key = store::suppression_key(address);
  backend_.remove_suppression(std::move(address), [state = state_, key = std::move(key),
                                                   done = std::move(done)](Result<bool> r) {
    if (r) state->apply({key}, false);
    done(std::move(r));
  });
}

Result<std::optional<store::Suppression>> SuppressionCache::suppression(std::string_view address) {
  return backend_.suppression(address);
}

Result<std::vector<store::Suppression>> SuppressionCache::list_suppressions(
    std::string_view after_key, std::size_t limit) {
  return backend_.list_suppressions(after_key, limit);
}

Result<std::vector<std::string>> SuppressionCache::suppressed_among(
    const std::vector<std::string>& addresses) {
  std::vector<std::string> out;
  std::lock_guard lock(state_->mu);
  if (state_->keys.empty()) return out;
  for (const auto& a : addresses) {
    if (state_->keys.contains(store::suppression_key(a))) out.push_back(a);
  }
  return out;
}

Result<std::vector<store::StoredProviderEvent>> SuppressionCache::unmatched_events(
    std::int64_t before_id, std::size_t limit) {
  return backend_.unmatched_events(before_id, limit);
}

}  // namespace postern::delivery
