// The EventStore of either backend: writes queued on the Store's group
// committer (event_writes.h) and applied by the backend's event writer,
// reads on the backend's reader connections. A backend names its writer
// and how a read borrows a reader (`reads(f)` calls f with one, as
// store/committed_part.h's Reads).
#pragma once

#include "store/event_store.h"
#include "store/event_writes.h"
#include "store/group_commit.h"

namespace postern::store {

template <class Writer, class Reads>
class CommittedEventStore final : public EventStore {
 public:
  // The committer and the writer (and what `reads` borrows from) outlive
  // this object; `committer` applies `writer`'s operations.
  CommittedEventStore(GroupCommitter& committer, Writer& writer, Reads reads)
      : committer_(committer), writer_(writer), reads_(reads) {}

  void record_provider_events(std::vector<events::ProviderEvent> batch,
                              Completion<std::vector<EventOutcome>> done) override {
    record_events_in_parts(
        committer_, std::move(batch),
        [w = &writer_](const std::vector<events::ProviderEvent>& part) { return w->record(part); },
        std::move(done));
  }

  void add_suppressions(std::vector<Suppression> entries, Completion<std::size_t> done) override {
    committer_.submit<std::size_t>(
        [w = &writer_, e = std::move(entries)]() { return w->add_suppressions(e); },
        std::move(done));
  }

  void remove_suppression(std::string address, Completion<bool> done) override {
    submit_yes_no(
        committer_, [w = &writer_, a = std::move(address)]() { return w->remove_suppression(a); },
        std::move(done));
  }

  Result<std::optional<Suppression>> suppression(std::string_view address) override {
    return reads_([&](auto& r) { return r.suppression(address); });
  }

  Result<std::vector<Suppression>> list_suppressions(std::string_view after_key,
                                                     std::size_t limit) override {
    return reads_([&](auto& r) { return r.list_suppressions(after_key, limit); });
  }

  Result<std::vector<std::string>> suppressed_among(
      const std::vector<std::string>& addresses) override {
    return reads_([&](auto& r) { return r.suppressed_among(addresses); });
  }

  Result<std::vector<StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                            std::size_t limit) override {
    return reads_([&](auto& r) { return r.unmatched_events(before_id, limit); });
  }

 private:
  GroupCommitter& committer_;
  Writer& writer_;
  Reads reads_;
};

}  // namespace postern::store
