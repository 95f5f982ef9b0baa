#include "store/sqlite/sqlite_event_store.h"

#include <atomic>
#include <mutex>

namespace postern::store::sqlite {
namespace {

// The answers of a batch's parts, joined: `done` runs once, after the
// last part's answer, with every outcome in the batch's order, or with the
// first error of a part.
class JoinedOutcomes {
 public:
  JoinedOutcomes(std::size_t parts, Completion<std::vector<EventOutcome>> done)
      : parts_(parts), remaining_(parts), done_(std::move(done)) {}

  void answer(std::size_t part, Result<std::vector<EventOutcome>> r) {
    {
      std::lock_guard lock(mu_);
      if (!r && !failed_) failed_ = r.error();
      if (r) parts_[part] = std::move(*r);
    }
    if (remaining_.fetch_sub(1) != 1) return;
    if (failed_) return done_(failed_);
    std::vector<EventOutcome> all;
    for (auto& p : parts_) all.insert(all.end(), p.begin(), p.end());
    done_(std::move(all));
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<EventOutcome>> parts_;  // guarded by mu_
  error_code failed_;                             // guarded by mu_ until remaining_ is 0
  std::atomic<std::size_t> remaining_;
  Completion<std::vector<EventOutcome>> done_;
};

}  // namespace

// Provider events go through the writer's bulk lane (group_commit.h), in
// parts of kEventsPerWrite: a large batch (SendGrid posts hundreds) is
// spread over several transactions, so that intake's writes never wait
// behind all of it. `done` answers once every part is durable (a
// webhook's 2xx waits for it). A part that fails leaves those before it
// recorded: the provider sends the batch again, and they are duplicates.
void SqliteEventStore::record_provider_events(std::vector<events::ProviderEvent> batch,
                                              Completion<std::vector<EventOutcome>> done) {
  auto record_part = [w = &writer_](std::vector<events::ProviderEvent> part) {
    return [w, part = std::move(part)]() { return w->record(part); };
  };
  if (batch.size() <= kEventsPerWrite) {
    committer_.submit<std::vector<EventOutcome>>(record_part(std::move(batch)), std::move(done),
                                                 Lane::bulk);
    return;
  }
  const auto parts = (batch.size() + kEventsPerWrite - 1) / kEventsPerWrite;
  auto joined = std::make_shared<JoinedOutcomes>(parts, std::move(done));
  for (std::size_t p = 0; p < parts; ++p) {
    auto first = batch.begin() + static_cast<std::ptrdiff_t>(p * kEventsPerWrite);
    auto last = p + 1 == parts ? batch.end() : first + static_cast<std::ptrdiff_t>(kEventsPerWrite);
    std::vector<events::ProviderEvent> part(std::make_move_iterator(first),
                                            std::make_move_iterator(last));
    committer_.submit<std::vector<EventOutcome>>(
        record_part(std::move(part)),
        [joined, p](Result<std::vector<EventOutcome>> r) { joined->answer(p, std::move(r)); },
        Lane::bulk);
  }
}

void SqliteEventStore::add_suppressions(std::vector<Suppression> entries,
                                        Completion<std::size_t> done) {
  committer_.submit<std::size_t>(
      [w = &writer_, e = std::move(entries)]() { return w->add_suppressions(e); }, std::move(done));
}

void SqliteEventStore::remove_suppression(std::string address, Completion<bool> done) {
  // Result<bool> is ambiguous to build from an error code (bool converts
  // from it), which the committer does for a refused write: it carries a
  // struct and the answer is unwrapped here.
  struct Removed {
    bool was_listed;
  };
  committer_.submit<Removed>(
      [w = &writer_, a = std::move(address)]() -> Result<Removed> {
        auto removed = w->remove_suppression(a);
        if (!removed) return removed.error();
        return Removed{*removed};
      },
      [done = std::move(done)](Result<Removed> r) {
        if (!r) return done(Result<bool>(boost::system::in_place_error, r.error()));
        done(r->was_listed);
      });
}

Result<std::optional<Suppression>> SqliteEventStore::suppression(std::string_view address) {
  return readers_.borrow()->suppression(address);
}

Result<std::vector<Suppression>> SqliteEventStore::list_suppressions(std::string_view after_key,
                                                                     std::size_t limit) {
  return readers_.borrow()->list_suppressions(after_key, limit);
}

Result<std::vector<std::string>> SqliteEventStore::suppressed_among(
    const std::vector<std::string>& addresses) {
  return readers_.borrow()->suppressed_among(addresses);
}

Result<std::vector<StoredProviderEvent>> SqliteEventStore::unmatched_events(std::int64_t before_id,
                                                                            std::size_t limit) {
  return readers_.borrow()->unmatched_events(before_id, limit);
}

}  // namespace postern::store::sqlite
