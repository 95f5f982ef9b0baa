// How a provider_events row (schema migration 3) reads back as an
// events::ProviderEvent, for the writer (events waiting for their message)
// and the reader alike.
#pragma once

#include "core/clock.h"
#include "events/provider_event.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

#define POSTERN_PG_PROVIDER_EVENT_COLUMNS                                                \
  "provider, dedupe_key, recipient, type, postern_ms(at), detail, provider_message_id, " \
  "postern_id"

// The event in the POSTERN_PG_PROVIDER_EVENT_COLUMNS from column `first` on.
// A type name this version does not know (a newer one wrote it) reads as
// `deferred`, the state that claims least (as on SQLite).
inline events::ProviderEvent read_provider_event(const Rows& rows, int row, int first) {
  events::ProviderEvent e;
  e.provider = rows.text(row, first);
  e.dedupe_key = rows.text(row, first + 1);
  e.recipient = rows.text(row, first + 2);
  e.type = events::parse_recipient_event_type(rows.view(row, first + 3))
               .value_or(events::RecipientEventType::deferred);
  e.at = from_unix_ms(rows.integer(row, first + 4));
  e.detail = rows.text(row, first + 5);
  e.provider_message_id = rows.text(row, first + 6);
  e.postern_id = rows.text(row, first + 7);
  return e;
}

}  // namespace postern::store::postgres
