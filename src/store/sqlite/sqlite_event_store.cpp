#include "store/sqlite/sqlite_event_store.h"

namespace postern::store::sqlite {

// A batch is one operation of the writer, so one transaction: its events
// are durable together before `done` answers (a webhook's 2xx waits for it).
void SqliteEventStore::record_provider_events(std::vector<events::ProviderEvent> batch,
                                              Completion<std::vector<EventOutcome>> done) {
  committer_.submit<std::vector<EventOutcome>>(
      [w = &writer_, b = std::move(batch)]() { return w->record(b); }, std::move(done));
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
