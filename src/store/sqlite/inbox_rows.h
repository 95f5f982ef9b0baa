// The test inbox's rows as the SQLite store reads them (schema migration 8),
// shared by its writer and its readers: the column lists every query of a
// kind selects, in the order the decoder reads them (the names and rules
// both backends share are in store/inbox_rules.h).
#pragma once

#include <string>
#include <string_view>

#include "store/inbox_rules.h"
#include "store/inbox_store.h"
#include "store/sqlite/database.h"

namespace postern::store::sqlite {

#define POSTERN_INBOX_ACCOUNT_COLUMNS                                                      \
  "id, user, address, password_hash, created_at, last_used_at, retention_s, quota_bytes, " \
  "used_bytes, catch_all"
#define POSTERN_INBOX_MAILBOX_COLUMNS \
  "id, account, name, uid_validity, uid_next, highest_modseq, subscribed"
#define POSTERN_INBOX_ENTRY_COLUMNS "uid, flags, modseq, size, internal_date, blob"

inline InboxAccount read_inbox_account(const Statement& row) {
  InboxAccount a;
  a.id = row.column_int(0);
  a.user = row.column_text(1);
  a.address = row.column_text(2);
  a.password_hash = row.column_text(3);
  a.created_at = from_unix_ms(row.column_int(4));
  a.last_used_at = from_unix_ms(row.column_int(5));
  a.retention = std::chrono::seconds(row.column_int(6));
  a.quota_bytes = static_cast<std::uint64_t>(row.column_int(7));
  a.used_bytes = static_cast<std::uint64_t>(row.column_int(8));
  a.catch_all = row.column_int(9) != 0;
  return a;
}

inline Mailbox read_mailbox(const Statement& row) {
  Mailbox m;
  m.id = row.column_int(0);
  m.account = row.column_int(1);
  m.name = row.column_text(2);
  m.uid_validity = static_cast<std::uint32_t>(row.column_int(3));
  m.uid_next = static_cast<std::uint32_t>(row.column_int(4));
  m.highest_modseq = static_cast<std::uint64_t>(row.column_int(5));
  m.subscribed = row.column_int(6) != 0;
  return m;
}

// An entry's columns from `first` on; its keywords are read apart.
inline MailEntry read_entry(const Statement& row, int first = 0) {
  MailEntry e;
  e.uid = static_cast<std::uint32_t>(row.column_int(first));
  e.flags.system = static_cast<std::uint8_t>(row.column_int(first + 1));
  e.modseq = static_cast<std::uint64_t>(row.column_int(first + 2));
  e.size = static_cast<std::uint64_t>(row.column_int(first + 3));
  e.internal_date = from_unix_ms(row.column_int(first + 4));
  e.blob = row.column_int(first + 5);
  return e;
}

}  // namespace postern::store::sqlite
