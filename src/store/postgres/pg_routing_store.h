// Providers and routing settings changed at run time on the PostgreSQL
// store (PostgresStore::routing()): one table set for every node, so a
// provider added through one node is loaded by all (store/routing_store.h).
// Writes go through the Store's group committer on its writer connection,
// reads on its reader pool; each write NOTIFYs kRoutingChannel with its
// COMMIT, which on_change() listens to (pg_routing_listener.h).
#pragma once

#include "core/clock.h"
#include "store/group_commit.h"
#include "store/postgres/pg_routing_listener.h"
#include "store/postgres/reader_pool.h"
#include "store/routing_store.h"

namespace postern::store::postgres {

class PgRoutingStore final : public RoutingStore {
 public:
  // `write_conn` is the writer's connection, used only in the committer's
  // operations; all outlive this object. `conninfo`: the database, for
  // the listening session.
  PgRoutingStore(GroupCommitter& committer, Connection& write_conn, ReaderPool& readers,
                 const Clock& clock, std::string conninfo)
      : committer_(committer),
        write_conn_(write_conn),
        readers_(readers),
        clock_(clock),
        listener_(std::move(conninfo)) {}

  void save(RoutingChanges changes, Completion<void> done) override;
  void clear(Completion<std::size_t> done) override;
  Result<RuntimeRouting> load() override;
  void on_change(std::function<void()> listener) override { listener_.start(std::move(listener)); }
  // Stops listening (before what the listener calls goes away).
  void close() { listener_.stop(); }

  void record_provider_health(std::string node, std::vector<ProviderHealthRow> rows,
                              Completion<void> done) override;
  Result<std::vector<ProviderHealthRow>> provider_health() override;

 private:
  // On the writer thread, inside the batch's transaction.
  Result<void> apply(const RoutingChanges& changes);
  Result<std::size_t> drop_all();
  Result<void> put_health(const std::string& node, const std::vector<ProviderHealthRow>& rows);

  GroupCommitter& committer_;
  Connection& write_conn_;
  ReaderPool& readers_;
  const Clock& clock_;
  PgRoutingListener listener_;
};

}  // namespace postern::store::postgres
