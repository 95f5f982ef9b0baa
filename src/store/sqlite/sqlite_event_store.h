// Provider events and the suppression list on the SQLite store
// (SqliteStore::events()): writes go through the Store's group-commit
// writer, in the same transactions as the gateway's, reads to a pool of
// reader connections of their own.
#pragma once

#include "store/event_store.h"
#include "store/group_commit.h"
#include "store/sqlite/event_reader.h"
#include "store/sqlite/event_writer.h"

namespace postern::store::sqlite {

class SqliteEventStore final : public EventStore {
 public:
  // Events per write of the bulk lane: a batch of more is recorded in
  // parts, each small enough to fit the lane's share of a transaction.
  static constexpr std::size_t kEventsPerWrite = 20;

  // All three outlive this object; `committer` applies `writer`'s operations.
  SqliteEventStore(GroupCommitter& committer, EventWriter& writer, EventReaderPool& readers)
      : committer_(committer), writer_(writer), readers_(readers) {}

  void record_provider_events(std::vector<events::ProviderEvent> batch,
                              Completion<std::vector<EventOutcome>> done) override;
  void add_suppressions(std::vector<Suppression> entries, Completion<std::size_t> done) override;
  void remove_suppression(std::string address, Completion<bool> done) override;

  Result<std::optional<Suppression>> suppression(std::string_view address) override;
  Result<std::vector<Suppression>> list_suppressions(std::string_view after_key,
                                                     std::size_t limit) override;
  Result<std::vector<std::string>> suppressed_among(
      const std::vector<std::string>& addresses) override;
  Result<std::vector<StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                            std::size_t limit) override;

 private:
  GroupCommitter& committer_;
  EventWriter& writer_;
  EventReaderPool& readers_;
};

}  // namespace postern::store::sqlite
