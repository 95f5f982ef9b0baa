// Webhooks out on the SQLite store (SqliteStore::webhooks()), written in
// the same transactions as the changes their events tell of.
#pragma once

#include "store/committed_webhook_store.h"
#include "store/sqlite/webhook_reader.h"
#include "store/sqlite/webhook_writer.h"

namespace postern::store::sqlite {

using SqliteWebhookStore = CommittedWebhookStore<WebhookWriter, PooledReads<WebhookReader>>;

}  // namespace postern::store::sqlite
