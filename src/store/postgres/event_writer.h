// The write operations of provider events and the suppression list
// (store/event_store.h) on the PostgreSQL store's writer connection, with
// the same rules as SQLite's (store/sqlite/event_writer.h): duplicates by
// (provider, dedupe key), matching by the provider's message id then by
// Postern's, events kept unmatched until a send call's answer names them,
// the report with the latest time setting a recipient's state. Each runs
// on the group-commit writer thread inside the batch's transaction; none
// commits by itself, and no answer comes from a failed statement
// (postgres/writer.h).
//
// What several nodes writing at once changes:
//  - An event and the send call's answer that names it may be recorded by
//    two nodes at the same moment, each transaction not seeing the other:
//    the event would stay unmatched for good. Both take a transaction-level
//    advisory lock on (provider, provider message id) first, so the second
//    waits for the first's commit and then sees it (each statement of a
//    READ COMMITTED transaction reads the latest commits).
//  - An applied event locks its message's row (the timeline's next seq)
//    until the commit. Events of a part are applied in message id order,
//    so two nodes applying parts that share messages take those rows in
//    the same order; a deadlock left (with other writes of the same
//    transactions) is broken by the server, and the group committer
//    applies the writes again one per transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/message_id.h"
#include "events/provider_event.h"
#include "store/event_store.h"
#include "store/postgres/connection.h"
#include "store/postgres/webhook_writer.h"

namespace postern::store::postgres {

class EventWriter {
 public:
  // `webhooks` records the webhook events of what it applies (outlives it).
  EventWriter(Connection& c, const Clock& clock, WebhookWriter& webhooks)
      : c_(c), clock_(clock), webhooks_(webhooks) {}

  Result<std::vector<EventOutcome>> record(const std::vector<events::ProviderEvent>& batch);
  // A send call's answer named `provider_message_id` for `message`
  // (Store::record_attempt): remembers it, and applies the unmatched events
  // that name it (a webhook can come before the answer is recorded).
  Result<void> note_provider_message_id(MessageId message, const std::string& provider,
                                        const std::string& provider_message_id);
  // The same for several, with one round trip to the server for all.
  struct ProviderMessageId {
    MessageId message;
    std::string provider;
    std::string id;
  };
  Result<void> note_provider_message_ids(const std::vector<ProviderMessageId>& named);

  Result<std::size_t> add_suppressions(const std::vector<Suppression>& entries);
  Result<bool> remove_suppression(const std::string& address);

 private:
  // Queues the advisory lock of (provider, provider_message_id); it is
  // taken before the next statement runs.
  void lock_provider_id(const std::string& provider, const std::string& provider_message_id);
  // Ties a recorded event to its message: the recipient's state, the
  // timeline, the suppression list for bounces and complaints, and the
  // webhook event recipient.<type>.
  Result<void> apply(MessageId message, const events::ProviderEvent& e);
  // Answers whether the key was new.
  Result<bool> insert_suppression(const Suppression& entry);

  Connection& c_;
  const Clock& clock_;
  WebhookWriter& webhooks_;
};

}  // namespace postern::store::postgres
