// The PostgreSQL store's reader connections, which its parts (routing,
// webhooks, ...) share with it: a read borrows one for the call.
#pragma once

#include "store/connection_pool.h"
#include "store/postgres/connection.h"
#include "store/store.h"

namespace postern::store::postgres {

using ReaderPool = ConnectionPool<Connection>;

// Runs f(Connection&) on a pooled connection. A connection found lost (the
// server restarted, failed over) is made again and the read tried once
// more: reads change nothing, so trying again is safe.
template <class F>
auto read_pooled(ReaderPool& pool, F f) -> decltype(f(std::declval<Connection&>())) {
  using Answer = decltype(f(std::declval<Connection&>()));
  for (int attempt = 0;; ++attempt) {
    auto lease = pool.borrow();
    Connection& c = *lease.operator->();
    if (auto r = c.ensure(); !r) return Answer(boost::system::in_place_error, r.error());
    auto result = f(c);
    if (result || result.error() != Errc::storage_unavailable || attempt > 0) return result;
  }
}

// Reads on a `Reader` made on a pooled connection, one per call (as
// store/committed_part.h's Reads).
template <class Reader>
struct PgReads {
  ReaderPool& pool;

  template <class F>
  auto operator()(F f) {
    return read_pooled(pool, [&f](Connection& c) {
      Reader reader(c);
      return f(reader);
    });
  }
};

}  // namespace postern::store::postgres
