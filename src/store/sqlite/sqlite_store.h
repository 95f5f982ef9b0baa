// The embedded SQLite backend of the Store (WAL, synchronous=NORMAL with an
// fsync of the WAL before every answer): one group-commit writer connection
// with a sync stage, a pool of reader connections and a
// checkpointer that keeps the WAL short without stalling commits.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "store/node_store.h"

namespace postern::store::sqlite {

struct SqliteOptions {
  std::string path = "data/postern.db";
  std::size_t max_batch = 2048;
  std::size_t max_queue = 65536;
  std::size_t readers = 4;
  // false (store.fsync): neither the database nor the content log is
  // fsync'd, so acknowledged mail can be lost in a power cut; exists for
  // tests and benchmarks.
  bool fsync = true;
  // Beyond this many queued messages, listing them reads the rows newest
  // first instead of sorting the whole queue's index (reader.cpp).
  std::int64_t deep_queue = 50000;
  // store.segment_bytes: a content segment takes appends until this size.
  std::uint64_t segment_bytes = 64ull << 20;
  // store.compact_below: a closed segment whose live content is below this
  // fraction of its size has that content moved to the current segment at
  // the next reclaim, and is then removed (content_compaction.h); 0: never.
  double compact_below = 0.5;
};

class SqliteStore final : public NodeStore {
 public:
  // Opens or creates the database (and its directory), applies migrations
  // and starts the writer. Errors: storage_unavailable, corrupt, conflict
  // (database written by a newer version).
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options, const Clock& clock,
                                                   MetricsRegistry& metrics);
  ~SqliteStore() override;

  // Store
  void enqueue(NewMessage message, Completion<EnqueueResult> done) override;
  void lease(std::string owner, SystemTime now, std::chrono::seconds lease, LeaseLimits limits,
             Completion<std::vector<LeasedMessage>> done) override;
  void record_attempt(std::string owner, AttemptRecord record, Completion<void> done) override;
  void cancel(MessageId id, Completion<MessageStatus> done) override;
  void retry(MessageId id, Completion<MessageStatus> done) override;
  void reclaim_leases(std::string owner, SystemTime now, Completion<std::size_t> done) override;
  void expire_idempotency_keys(SystemTime before, Completion<std::size_t> done) override;
  void purge_ended(SystemTime before, std::size_t limit, Completion<std::size_t> done) override;
  void create_api_key(StoredApiKey key, Completion<void> done) override;
  void delete_api_key(std::string name, Completion<void> done) override;
  void rotate_api_key(std::string name, std::string secret_hash, SystemTime previous_valid_until,
                      Completion<void> done) override;
  void record_api_key_use(std::vector<ApiKeyUse> uses, Completion<void> done) override;
  void create_smtp_user(SmtpUser user, Completion<void> done) override;
  void delete_smtp_user(std::string name, Completion<void> done) override;
  void record_boot(std::string node, SystemTime at, Completion<std::uint64_t> done) override;
  Result<MessageDetail> get_message(MessageId id) override;
  Result<std::vector<MessageSummary>> list_messages(const ListFilter& filter) override;
  Result<std::pair<ContentFormat, std::string>> get_content(MessageId id) override;
  Result<std::vector<std::int64_t>> count_by_status() override;
  Result<std::vector<StoredApiKey>> list_api_keys() override;
  Result<std::optional<StoredApiKey>> api_key_by_hash(const std::string& secret_hash) override;
  Result<bool> has_api_keys() override;
  Result<std::vector<SmtpUser>> list_smtp_users() override;
  // Also keeps the content of the test inbox's blobs.
  Result<std::uint64_t> reclaim_content_space() override;
  // One node alone on its file: SoleNode.
  ClusterLink& cluster() override;
  void close() override;

  // The test inbox's storage, in this store's database and content log,
  // written through its writer (so closing the store stops it too). Not
  // part of Store: only a node that runs the inbox needs it.
  InboxStore& inbox() override;
  // Provider events and the suppression list, in this store's database,
  // written through its writer (docs/events.md "Storage").
  EventStore& events() override;
  // Providers and routing settings changed at run time, in this store's
  // database, written through its writer (docs/routing.md "Run-time changes").
  RoutingStore& routing() override;
  // Webhooks out: endpoints, their queues and logs, in this store's
  // database, written through its writer (docs/events.md "Webhooks out:
  // storage").
  WebhookStore& webhooks() override;
  // A file this process holds open: writable while the process runs (a
  // full disk is answered per write, storage_full).
  bool writable() override { return true; }

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  // Moves the live content out of sparse closed segments (step 1 and 2 of
  // content_compaction.h), leaving them for the reclaim.
  Result<void> compact_content();
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::store::sqlite
