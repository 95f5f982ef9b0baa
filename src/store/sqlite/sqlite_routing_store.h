// Providers and routing settings changed at run time on the SQLite store
// (SqliteStore::routing()): writes on the writer connection through the
// Store's group-commit writer, reads on a connection of their own (read
// at start and by `postern routing`, rarely: one connection is enough).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "store/group_commit.h"
#include "store/routing_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/statement_cache.h"

namespace postern::store::sqlite {

class SqliteRoutingStore final : public RoutingStore {
 public:
  // `write_db` is the writer's connection, used only in the committer's
  // operations; both outlive this object.
  static Result<std::unique_ptr<SqliteRoutingStore>> open(GroupCommitter& committer,
                                                          Database& write_db,
                                                          const std::string& path,
                                                          const Clock& clock);

  void save(RoutingChanges changes, Completion<void> done) override;
  void clear(Completion<std::size_t> done) override;
  Result<RuntimeRouting> load() override;
  // Never called: a SQLite database belongs to one node (its writer holds
  // the file), so every change it holds is that node's own, already in
  // effect when it is saved.
  void on_change(std::function<void()>) override {}

  void record_provider_health(std::string node, std::vector<ProviderHealthRow> rows,
                              Completion<void> done) override;
  Result<std::vector<ProviderHealthRow>> provider_health() override;

 private:
  SqliteRoutingStore(GroupCommitter& committer, Database& write_db, StatementCache writes,
                     std::unique_ptr<Database> read_db, StatementCache reads, const Clock& clock);
  // On the writer thread, inside the batch's transaction.
  Result<void> apply(const RoutingChanges& changes);
  Result<std::size_t> drop_all();
  Result<void> put_health(const std::string& node, const std::vector<ProviderHealthRow>& rows);

  GroupCommitter& committer_;
  Database& write_db_;
  StatementCache writes_;  // on write_db_: the writer thread only
  std::mutex read_mu_;
  std::unique_ptr<Database> read_db_;  // guarded by read_mu_
  StatementCache reads_;               // guarded by read_mu_
  const Clock& clock_;
};

}  // namespace postern::store::sqlite
