// The write operations of provider events and the suppression list
// (store/event_store.h) on the SQLite store's writer connection. Each runs
// on the group-commit writer thread inside the batch's transaction, like
// Writer's; none commits by itself.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/message_id.h"
#include "events/provider_event.h"
#include "store/event_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/statement_cache.h"
#include "store/sqlite/webhook_writer.h"

namespace postern::store::sqlite {

class EventWriter {
 public:
  // `webhooks` records the webhook events of what it applies (outlives it).
  static Result<std::unique_ptr<EventWriter>> create(Database& db, const Clock& clock,
                                                     WebhookWriter& webhooks);

  Result<std::vector<EventOutcome>> record(const std::vector<events::ProviderEvent>& batch);
  // A send call's answer named `provider_message_id` for `message`
  // (Store::record_attempt): remembers it, and applies the unmatched events
  // that name it (a webhook can come before the answer is recorded).
  Result<void> note_provider_message_id(MessageId message, const std::string& provider,
                                        const std::string& provider_message_id);

  Result<std::size_t> add_suppressions(const std::vector<Suppression>& entries);
  Result<bool> remove_suppression(const std::string& address);

 private:
  EventWriter(Database& db, const Clock& clock, WebhookWriter& webhooks, StatementCache st);

  // The message an event names, by its provider message id, else by
  // Postern's id; nothing when neither names a stored message.
  Result<std::optional<MessageId>> match(const events::ProviderEvent& e);
  // Ties a recorded event to its message: the recipient's state, the
  // timeline, the suppression list for bounces and complaints, and the
  // webhook event recipient.<type>.
  Result<void> apply(MessageId message, const events::ProviderEvent& e);
  // Whether the statement that `ran` changed a row.
  Result<bool> changed(Result<void> ran);
  // Answers whether the key was new.
  Result<bool> insert_suppression(const Suppression& entry);

  Database& db_;
  const Clock& clock_;
  WebhookWriter& webhooks_;
  StatementCache st_;
};

}  // namespace postern::store::sqlite
