// How a provider_events row (schema migration 11) reads back as an
// events::ProviderEvent, for the writer (events waiting for their message)
// and the readers alike.
#pragma once

#include "events/provider_event.h"
#include "store/sqlite/database.h"

namespace postern::store::sqlite {

#define POSTERN_PROVIDER_EVENT_COLUMNS \
  "provider, dedupe_key, recipient, type, at, detail, provider_message_id, postern_id"

// The event in the POSTERN_PROVIDER_EVENT_COLUMNS from column `first` on. A
// type name this version does not know (a newer one wrote it) reads as
// `deferred`, the state that claims least.
inline events::ProviderEvent read_provider_event(const Statement& row, int first) {
  events::ProviderEvent e;
  e.provider = row.column_text(first);
  e.dedupe_key = row.column_text(first + 1);
  e.recipient = row.column_text(first + 2);
  e.type = events::parse_recipient_event_type(row.column_view(first + 3))
               .value_or(events::RecipientEventType::deferred);
  e.at = from_unix_ms(row.column_int(first + 4));
  e.detail = row.column_text(first + 5);
  e.provider_message_id = row.column_text(first + 6);
  e.postern_id = row.column_text(first + 7);
  return e;
}

}  // namespace postern::store::sqlite
