// The test inbox's rows as the PostgreSQL store reads them (schema
// migration 5), shared by its writer and its reader: the column lists every
// query of a kind selects, in the order the decoder reads them, and the
// array parameters the queries take.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/codec.h"
#include "store/inbox_rules.h"
#include "store/inbox_store.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

#define POSTERN_PG_INBOX_ACCOUNT_COLUMNS                                                      \
  "id, user_name, address, password_hash, postern_ms(created_at), postern_ms(last_used_at), " \
  "retention_s, quota_bytes, used_bytes, catch_all"
#define POSTERN_PG_INBOX_MAILBOX_COLUMNS \
  "id, account, name, uid_validity, uid_next, highest_modseq, subscribed"
// Keywords a line each: they are IMAP atoms, which hold no line break.
#define POSTERN_PG_INBOX_ENTRY_COLUMNS                                      \
  "e.uid, e.flags, e.modseq, e.size, postern_ms(e.internal_date), e.blob, " \
  "array_to_string(e.keywords, E'\\n')"

inline bool boolean(const Rows& r, int row, int col) { return r.view(row, col) == "t"; }

inline InboxAccount read_inbox_account(const Rows& r, int i) {
  InboxAccount a;
  a.id = r.integer(i, 0);
  a.user = r.text(i, 1);
  a.address = r.text(i, 2);
  a.password_hash = r.text(i, 3);
  a.created_at = from_unix_ms(r.integer(i, 4));
  a.last_used_at = from_unix_ms(r.integer(i, 5));
  a.retention = std::chrono::seconds(r.integer(i, 6));
  a.quota_bytes = static_cast<std::uint64_t>(r.integer(i, 7));
  a.used_bytes = static_cast<std::uint64_t>(r.integer(i, 8));
  a.catch_all = boolean(r, i, 9);
  return a;
}

inline Mailbox read_mailbox(const Rows& r, int i) {
  Mailbox m;
  m.id = r.integer(i, 0);
  m.account = r.integer(i, 1);
  m.name = r.text(i, 2);
  m.uid_validity = static_cast<std::uint32_t>(r.integer(i, 3));
  m.uid_next = static_cast<std::uint32_t>(r.integer(i, 4));
  m.highest_modseq = static_cast<std::uint64_t>(r.integer(i, 5));
  m.subscribed = boolean(r, i, 6);
  return m;
}

// An entry's columns from `first` on, its keywords with them.
inline MailEntry read_entry(const Rows& r, int i, int first = 0) {
  MailEntry e;
  e.uid = static_cast<std::uint32_t>(r.integer(i, first));
  e.flags.system = static_cast<std::uint8_t>(r.integer(i, first + 1));
  e.modseq = static_cast<std::uint64_t>(r.integer(i, first + 2));
  e.size = static_cast<std::uint64_t>(r.integer(i, first + 3));
  e.internal_date = from_unix_ms(r.integer(i, first + 4));
  e.blob = r.integer(i, first + 5);
  e.flags.keywords = split_lines(r.view(i, first + 6));
  return e;
}

// A bigint[] parameter ('{1,2,3}').
template <class Int>
std::string int_array(const std::vector<Int>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

// A text[] parameter, each element quoted ("a","b\"c").
inline std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace postern::store::postgres
