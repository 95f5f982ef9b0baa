// The test inbox's storage on the PostgreSQL store (PostgresStore::inbox()):
// its writes go through the Store's group committer, in the same
// transactions as the gateway's, on the main lane as on SQLite; its reads
// run on the Store's reader connections. Accounts, mailboxes, entries and
// the messages' bytes all live in the database, so any node serves any
// test account (docs/inbox.md "Storage").
#pragma once

#include "store/committed_part.h"
#include "store/inbox_store_calls.h"
#include "store/postgres/inbox_reader.h"
#include "store/postgres/inbox_writer.h"
#include "store/postgres/reader_pool.h"

namespace postern::store::postgres {

using InboxPart = CommittedPart<InboxWriter, PgReads<InboxReader>>;

class PgInboxStore final : public InboxStoreCalls<PgInboxStore>, private InboxPart {
 public:
  using InboxPart::InboxPart;

 private:
  friend class InboxStoreCalls<PgInboxStore>;

  template <class T, class Op>
  void submit_write(Op op, Completion<T> done) {
    InboxPart::write<T>(std::move(op), std::move(done));
  }

  template <class F>
  auto run_read(F f) {
    return InboxPart::read(std::move(f));
  }
};

}  // namespace postern::store::postgres
