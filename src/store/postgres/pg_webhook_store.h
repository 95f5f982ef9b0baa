// Webhooks out on the PostgreSQL store (PostgresStore::webhooks()): one
// set of endpoints, queues and log for every node. Events are recorded in
// the transactions of the changes they tell of (webhook_writer.h); senders
// on several nodes share the queues through leases (lease_deliveries:
// FOR UPDATE SKIP LOCKED, a lease names its owner and ends).
#pragma once

#include "store/committed_webhook_store.h"
#include "store/postgres/reader_pool.h"
#include "store/postgres/webhook_reader.h"
#include "store/postgres/webhook_writer.h"

namespace postern::store::postgres {

using PgWebhookStore = CommittedWebhookStore<WebhookWriter, PgReads<WebhookReader>>;

}  // namespace postern::store::postgres
