// How an EventStore of either backend queues its writes on the Store's
// group committer (store/group_commit.h): provider events on the bulk lane
// in parts, the suppression list's changes on the main lane. Each backend
// supplies the operations that run on its writer thread.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "events/provider_event.h"
#include "store/event_store.h"
#include "store/group_commit.h"

namespace postern::store {

// Events per write of the bulk lane: a batch of more is recorded in parts,
// each small enough to fit the lane's share of a transaction.
inline constexpr std::size_t kEventsPerWrite = 20;

// Records some events (a part of a batch) on the writer thread.
using RecordEvents =
    std::function<Result<std::vector<EventOutcome>>(const std::vector<events::ProviderEvent>&)>;

// Provider events go through the writer's bulk lane, in parts of
// kEventsPerWrite: a large batch (SendGrid posts hundreds) is spread over
// several transactions, so that intake's writes never wait behind all of
// it. `done` answers once every part is durable (a webhook's 2xx waits for
// it), with every outcome in the batch's order, or with the first error of
// a part. A part that fails leaves those before it recorded: the provider
// sends the batch again, and they are duplicates.
void record_events_in_parts(GroupCommitter& committer, std::vector<events::ProviderEvent> batch,
                            RecordEvents record, Completion<std::vector<EventOutcome>> done);

// Queues a write that answers yes or no. (Result<bool> is ambiguous to
// build from an error code, which the committer does for a refused write:
// the answer travels in a struct and is unwrapped here.)
void submit_yes_no(GroupCommitter& committer, std::function<Result<bool>()> apply,
                   Completion<bool> done);

// A writer's add_suppressions: adds each entry with `insert` (which
// answers whether its key was new) and answers how many were.
template <class Insert>
Result<std::size_t> add_each(const std::vector<Suppression>& entries, Insert insert) {
  std::size_t added = 0;
  for (const auto& entry : entries) {
    auto r = insert(entry);
    if (!r) return r.error();
    added += *r ? 1 : 0;
  }
  return added;
}

}  // namespace postern::store
