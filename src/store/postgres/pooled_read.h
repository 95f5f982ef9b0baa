// A read on a connection borrowed from the PostgreSQL store's reader pool,
// for the Store's reads and those of the stores that share its database.
#pragma once

#include <utility>

#include "store/connection_pool.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

using ReaderPool = ConnectionPool<Connection>;

// Runs `f` on a pooled connection. A connection found lost (the server
// restarted, failed over) is made again and the read tried once more:
// reads change nothing, so trying again is safe.
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

}  // namespace postern::store::postgres
