// The test inbox's storage on the PostgreSQL store (PostgresStore::inbox()):
// its writes go through the Store's group committer, in the same
// transactions as the gateway's, on the main lane as on SQLite; its reads
// run on the Store's reader connections. Accounts, mailboxes, entries and
// the messages' bytes all live in the database, so any node serves any
// test account (docs/inbox.md "Storage").
#pragma once

#include "store/inbox_store_calls.h"
#include "store/postgres/inbox_reader.h"
#include "store/postgres/inbox_writer.h"
#include "store/postgres/store_part.h"

namespace postern::store::postgres {

class PgInboxStore final : public InboxStoreCalls<PgInboxStore>, private StorePart<InboxWriter> {
 public:
  using StorePart<InboxWriter>::StorePart;

 private:
  friend class InboxStoreCalls<PgInboxStore>;

  template <class T, class Op>
  void submit_write(Op op, Completion<T> done) {
    StorePart::write<T>(std::move(op), std::move(done));
  }

  template <class F>
  auto run_read(F f) {
    return StorePart::read([&f](Connection& c) {
      InboxReader reader(c);
      return f(reader);
    });
  }
};

}  // namespace postern::store::postgres
