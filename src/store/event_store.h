// What providers report after they took a message, and the suppression
// list (docs/events.md). The same backend as the Store keeps it (one
// database, one group-commit writer): an event the store has reported
// durable survives a crash, so a webhook's 2xx comes after it.
//
// Writes are group-committed as the Store's (store.h: completions, threads,
// errors storage_full, storage_unavailable, overloaded, shutting_down);
// reads are synchronous and see committed data.
//
// Addresses on the suppression list compare case-insensitively in the
// domain only (RFC 5321 §2.4: the local part is the receiving server's to
// read): suppression_key() gives the form they are stored and looked up by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message_id.h"
#include "events/provider_event.h"
#include "store/store.h"

namespace postern::store {

// What became of each event of a batch given to record_provider_events, in
// the batch's order.
enum class EventOutcome {
  recorded,   // new, tied to its message: the recipient's state and the timeline changed
  duplicate,  // its (provider, dedupe_key) was recorded before: nothing changed
  unmatched,  // new, no message known by its ids yet: kept, listed, changes nothing
              // until a send call's answer names it (then it is applied)
};

struct Suppression {
  std::string address;  // as first given (its key: suppression_key(address))
  std::string reason;   // bounced, complained, inactive (provider's list at send time), manual
  std::string provider;
  std::optional<MessageId> message;  // the message whose event put it there
  std::string detail;
  SystemTime created_at{};
};

// A provider event as recorded: its place in arrival order (the cursor of
// unmatched_events) and when it was recorded.
struct StoredProviderEvent {
  std::int64_t id = 0;
  events::ProviderEvent event;
  SystemTime received_at{};
};

// local@domain with the domain lower-cased (ASCII); the local part as given.
std::string suppression_key(std::string_view address);

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Records a verified batch in one transaction: each event is a duplicate
  // (its provider and dedupe key seen), or tied to the message whose
  // attempt at that provider returned its provider_message_id (or whose id
  // is its postern_id), or kept unmatched. A tied event sets its
  // recipient's state and joins the message's timeline; a `bounced` or
  // `complained` one also puts the recipient on the suppression list.
  virtual void record_provider_events(std::vector<events::ProviderEvent> batch,
                                      Completion<std::vector<EventOutcome>> done) = 0;

  // Adds (or, when the key exists, leaves as it is) each address; answers
  // how many were new.
  virtual void add_suppressions(std::vector<Suppression> entries, Completion<std::size_t> done) = 0;
  // Answers whether the address was on the list.
  virtual void remove_suppression(std::string address, Completion<bool> done) = 0;

  virtual Result<std::optional<Suppression>> suppression(std::string_view address) = 0;
  // In key order, those after `after_key` ("" from the start), at most `limit`.
  virtual Result<std::vector<Suppression>> list_suppressions(std::string_view after_key,
                                                             std::size_t limit) = 0;
  // Of `addresses`, those on the list (as given), for intake's check.
  virtual Result<std::vector<std::string>> suppressed_among(
      const std::vector<std::string>& addresses) = 0;

  // Events that matched no message (yet), newest first: those with an id
  // below `before_id` (0: from the newest), at most `limit`.
  virtual Result<std::vector<StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                                    std::size_t limit) = 0;
};

}  // namespace postern::store
